/* decode.h - a source's character set to UTF-8, streaming (iconv); a BOM is dropped. */
#ifndef FRAGWATCH_DECODE_H
#define FRAGWATCH_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct decode;

/* Receives decoded UTF-8; a negative return stops decoding with it. */
typedef int (*decode_sink)(void *ctx, const char *buf, size_t len);

/* A decoder from encoding ("UTF-8", "WINDOWS-1252", "ISO-8859-1", ...),
 * or NULL with errno set (EINVAL: unknown encoding). */
struct decode *decode_new(const char *encoding);
void decode_free(struct decode *d);

/* Decodes the next bytes of the stream and passes UTF-8 to sink. A
 * character split across calls is carried over. Returns 0, the sink's
 * negative return, or -EILSEQ with a message in err (byte offset and the
 * likely cause). */
int decode_feed(struct decode *d, const char *in, size_t len,
    decode_sink sink, void *ctx, char *err, size_t errlen);

/* Ends the stream: -EILSEQ if it stopped inside a character. */
int decode_finish(struct decode *d, char *err, size_t errlen);

/* Bytes consumed so far. */
uint64_t decode_offset(const struct decode *d);

#endif

/* text.h - small checks on text bound for other systems: UTF-8 sequences, control characters, safe server replies (pure). */
#ifndef FRAGWATCH_TEXT_H
#define FRAGWATCH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the UTF-8 sequence at s (1..4), or 0 if it is not valid
 * (overlong forms, surrogates and code points beyond U+10FFFF are not). */
size_t text_utf8_len(const unsigned char *s);

/* True if s holds a control character (below 0x20, or DEL). */
bool text_has_ctl(const char *s);

/* Makes a server's reply safe to log and to store in a text column, in
 * place: control characters become spaces, bytes that are not UTF-8 (also
 * a character cut by truncation) become '?'. */
void text_clean(char *s);

#endif

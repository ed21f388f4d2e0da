# Writes the bytes of INPUT as a comma-separated list of C integer literals
# to OUTPUT, for `static const char text[] = { #include "OUTPUT" };`.
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUTPUT} "${bytes}\n")

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    char buf[64];
    gets(buf); /* EXPECT overflow */
    strcpy(buf, argv[1]); /* EXPECT overflow */
    sprintf(buf, "%s-%s", argv[1], argv[2]); /* EXPECT overflow */
    printf(argv[1]); /* EXPECT format */
    system(argv[2]); /* EXPECT cmd */
    return 0;
}

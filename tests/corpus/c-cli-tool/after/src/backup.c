#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"

#define PATH_LEN 256

int backup_directory(const char *dir, const char *label)
{
    char archive[PATH_LEN];
    char command[PATH_LEN * 2];
    char note[128];

    sprintf(archive, "/var/backups/%s.tar.gz", label); /* EXPECT: sprintf into a fixed buffer */
    snprintf(command, sizeof command, "tar czf %s %s", archive, dir);
    if (system(command) != 0) { /* EXPECT: shell command built from arguments */
        return 1;
    }

    strcpy(note, "backup of ");
    strcat(note, dir); /* EXPECT: unbounded concatenation */

    printf("%s done\n", note);
    printf("comment for the log: ");
    fflush(stdout);
    char comment[80];
    if (gets(comment) != NULL) { /* EXPECT: gets never checks the size */
        FILE *log = popen(comment, "w"); /* EXPECT: popen with user text */
        if (log != NULL) {
            pclose(log);
        }
    }
    return 0;
}

#ifndef BACKUP_H
#define BACKUP_H

int backup_directory(const char *dir, const char *label);

#endif

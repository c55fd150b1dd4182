/* LD_PRELOAD shim for the test Cyrus (tests/servers/cyrus.py): syslog() lines go to the file
 * named by ALIWATCH_SYSLOG_FILE instead of /dev/log, which these machines do not have. Cyrus
 * logs only through syslog, and a busy port or a failed login is reported nowhere else.
 * Built by tests/servers/cyrus.py with the system's cc; without a compiler Cyrus logs nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static char ident[64] = "cyrus";

void openlog(const char *id, int option, int facility) {
    (void)option;
    (void)facility;
    if (id != NULL)
        snprintf(ident, sizeof ident, "%s", id);
}

void closelog(void) {}

int setlogmask(int mask) {
    (void)mask;
    return LOG_UPTO(LOG_DEBUG);
}

void vsyslog(int priority, const char *format, va_list ap) {
    int saved = errno; /* for %m */
    const char *path = getenv("ALIWATCH_SYSLOG_FILE");
    if (path == NULL)
        return;
    static const char *levels[] = {"emerg", "alert", "crit", "err",
                                   "warning", "notice", "info", "debug"};
    char line[8192];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int n = snprintf(line, sizeof line, "%lld.%03ld %s[%d] %s: ", (long long)now.tv_sec,
                     now.tv_nsec / 1000000, ident, (int)getpid(), levels[LOG_PRI(priority)]);
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    errno = saved;
    int m = vsnprintf(line + n, sizeof line - (size_t)n, format, ap);
    size_t len = m < 0 ? (size_t)n : strnlen(line, sizeof line - 1);
    while (len > 0 && line[len - 1] == '\n')
        len--;
    line[len++] = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t ignored = write(fd, line, len);
        (void)ignored;
        close(fd);
    }
    errno = saved;
}

void syslog(int priority, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsyslog(priority, format, ap);
    va_end(ap);
}

/* What glibc's headers turn syslog() into under _FORTIFY_SOURCE (Debian builds with it). */
void __vsyslog_chk(int priority, int flag, const char *format, va_list ap) {
    (void)flag;
    vsyslog(priority, format, ap);
}

void __syslog_chk(int priority, int flag, const char *format, ...) {
    (void)flag;
    va_list ap;
    va_start(ap, format);
    vsyslog(priority, format, ap);
    va_end(ap);
}

/*
 * What the daily report asks of the system beyond /proc (sysmon.h): the
 * core's version, from its own version command, and the machine's
 * addresses.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "sysmon.h"

extern char **environ;

#define COREVER_MAX 40

/* 1 if the N bytes at S make a version: a digit (or 'v' and a digit)
 * first, then letters, digits and ".-+_". */
static int
version_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > COREVER_MAX)
		return 0;
	if (!(s[0] >= '0' && s[0] <= '9') &&
	    !(s[0] == 'v' && n > 1 && s[1] >= '0' && s[1] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') || strchr(".-+_", s[i])))
			return 0;
	return 1;
}

int
corever_parse(enum core_type type, const char *out, char *ver, size_t versz)
{
	const char *want[2], *p = out, *tok;
	size_t len, i, nwant;

	switch (type) {
	case CORE_SINGBOX:
		want[0] = "sing-box";
		want[1] = "version";
		nwant = 2;
		break;
	case CORE_V2FLY:
		want[0] = "V2Ray";
		nwant = 1;
		break;
	default:
		want[0] = "Xray";
		nwant = 1;
		break;
	}
	/* The first line's words: the expected ones, then the version. */
	for (i = 0; i <= nwant; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		tok = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r')
			p++;
		len = (size_t)(p - tok);
		if (i < nwant &&
		    (len != strlen(want[i]) ||
			strncasecmp(tok, want[i], len) != 0))
			return -1;
	}
	if (!version_token(tok, len) || len >= versz)
		return -1;
	memcpy(ver, tok, len);
	ver[len] = '\0';
	return 0;
}

/*
 * Runs PROG (a path, or a name looked up in PATH) with ARGV, stdin and
 * stderr /dev/null, and reads its output into OUT (NUL-terminated) for at
 * most TIMEOUT_MS; a program still running then is killed.  Returns 0, or
 * -1 if it could not be started.
 */
static int
run_capture(const char *prog, char *const argv[], int timeout_ms, char *out,
    size_t outsz)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	struct pollfd pfd;
	int64_t deadline = mono_ms() + timeout_ms, left;
	size_t len = 0;
	ssize_t r;
	pid_t pid;
	int fds[2], rc = -1, status;

	out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* The worker blocks its signals and ignores SIGPIPE: the child
	 * starts with neither. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(
	    &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* posix_spawn, not fork: the gRPC library's threads are running. */
	if (posix_spawnp(&pid, prog, &fa, &attr, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (pid == -1)
		goto out;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (len < outsz - 1 && (left = deadline - mono_ms()) > 0) {
		if ((r = poll(&pfd, 1, (int)left)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		r = read(fds[0], out + len, outsz - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	out[len] = '\0';
	/* Waited for at most the time left: then killed. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(10000);
	}
	rc = 0;
out:
	close(fds[0]);
	return rc;
}

void
corever_get(const struct cfg *cfg, int timeout_ms, char *ver, size_t versz)
{
	static char dash[] = "-version", word[] = "version";
	char path[4096], out[4096], bin[16];
	const char *dir = cfg->core_dir, *prog;
	char *argv[3];
	int64_t deadline = mono_ms() + timeout_ms;
	int i, tries;

	snprintf(ver, versz, "unknown");
	switch (cfg->core_type) {
	case CORE_SINGBOX:
		snprintf(bin, sizeof(bin), "sing-box");
		break;
	case CORE_V2FLY:
		snprintf(bin, sizeof(bin), "v2ray");
		break;
	default:
		snprintf(bin, sizeof(bin), "xray");
		break;
	}
	/* core.dir first, as the original; then PATH. */
	prog = bin;
	if (dir != NULL && dir[0] != '\0' &&
	    (size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
		dir[strlen(dir) - 1] == '/' ? "" : "/", bin) < sizeof(path) &&
	    access(path, X_OK) == 0)
		prog = path;
	argv[0] = bin;
	argv[2] = NULL;
	/* v2fly 4 knows "-version" only ("version" starts a server that
	 * reads its config from stdin); v2fly 5 has "version". */
	tries = cfg->core_type == CORE_V2FLY ? 2 : 1;
	for (i = 0; i < tries; i++) {
		argv[1] = cfg->core_type == CORE_V2FLY && i == 0 ? dash : word;
		if (deadline - mono_ms() <= 0 ||
		    run_capture(prog, argv, (int)(deadline - mono_ms()), out,
			sizeof(out)) == -1)
			break;
		if (corever_parse(cfg->core_type, out, ver, versz) == 0)
			return;
	}
	log_debug("core version: '%s %s' gave none", prog, argv[1]);
}

int
addr_rank4(const struct in_addr *a)
{
	uint32_t v = ntohl(a->s_addr);

	if ((v >> 24) == 0 || (v >> 24) == 127)
		return 0;
	if ((v >> 16) == 0xa9fe) /* 169.254/16 */
		return 1;
	if ((v >> 24) == 10 || (v >> 20) == 0xac1 || /* 172.16/12 */
	    (v >> 16) == 0xc0a8 || /* 192.168/16 */
	    (v >> 22) == (100u << 2 | 1)) /* 100.64/10 */
		return 2;
	return 3;
}

int
addr_rank6(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) ||
	    IN6_IS_ADDR_V4MAPPED(a))
		return 0;
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return 1;
	if ((a->s6_addr[0] & 0xfe) == 0xfc) /* fc00::/7 */
		return 2;
	return 3;
}

void
host_addresses(char *v4, size_t v4sz, char *v6, size_t v6sz)
{
	struct ifaddrs *ifa, *i;
	const void *best4 = NULL, *best6 = NULL;
	int r, rank4 = 0, rank6 = 0;

	snprintf(v4, v4sz, "none");
	snprintf(v6, v6sz, "none");
	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s =
			    (const struct sockaddr_in *)(void *)i->ifa_addr;
			if ((r = addr_rank4(&s->sin_addr)) > rank4) {
				rank4 = r;
				best4 = &s->sin_addr;
			}
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s =
			    (const struct sockaddr_in6 *)(void *)i->ifa_addr;
			if ((r = addr_rank6(&s->sin6_addr)) > rank6) {
				rank6 = r;
				best6 = &s->sin6_addr;
			}
		}
	}
	if (best4 != NULL && inet_ntop(AF_INET, best4, v4, v4sz) == NULL)
		snprintf(v4, v4sz, "none");
	if (best6 != NULL && inet_ntop(AF_INET6, best6, v6, v6sz) == NULL)
		snprintf(v6, v6sz, "none");
	freeifaddrs(ifa);
}

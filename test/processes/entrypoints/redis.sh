#!/bin/sh
# Stand-in for the redis image's docker-entrypoint.sh (Debian has no such script): started as root with
# redis-server, it gives the working directory to the redis user and drops to it (su-exec there).
set -eu
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups -- "$@"
fi
exec "$@"

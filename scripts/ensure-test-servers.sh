#!/bin/sh
# Make sure the servers and programs the integration tests need are installed (idempotent).
# OpenSSH: the tests start their own private sshd on 127.0.0.1; the package's system service must
# never start, so a deny-all policy-rc.d is put in place first when none exists.
# Chromium (Debian's `chromium` and `chromium-driver`): the report and dashboard tests open our HTML
# pages in headless Chromium, offline (tests/support_browser.py).
# PostgreSQL (Debian's `postgresql`): the state-store tests start their own private server on 127.0.0.1
# (tests/support_pg.py: initdb into a temporary folder, postgres by PID); the package's cluster and
# service are never started (the same deny-all policy-rc.d).
set -eu

have_postgres() {
    command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
    for bin in /usr/local/bin /usr/lib/postgresql/*/bin; do
        [ -x "$bin/initdb" ] && [ -x "$bin/postgres" ] && return 0
    done
    return 1
}

need=""
[ -x /usr/sbin/sshd ] || need="$need openssh-server"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v chromedriver >/dev/null 2>&1 || need="$need chromium-driver"
have_postgres || need="$need postgresql"

if [ -z "$need" ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# installed by OrderBridge scripts/ensure-test-servers.sh: never start services\nexit 101\n' \
        | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 0755 /usr/sbin/policy-rc.d
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # $need is a list of package names
if ! $SUDO apt-get install -y --no-install-recommends $need; then
    # Usually the package lists are missing (fresh image): fetch them once and try again.
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends $need
fi

test -x /usr/sbin/sshd
command -v chromium >/dev/null
command -v chromedriver >/dev/null
have_postgres

#!/bin/sh
# Prints the package version for `make rpm` and `make deb`, from git, in a
# form RPM and dpkg both accept and order by history:
#   tag v1.2.3                -> 1.2.3
#   4 commits past tag v1.2.3 -> 1.2.3.4.gSHA
#   no tag, 57 commits        -> 0.0.0.57.gSHA
#   uncommitted changes       -> ... .dirty appended
# Without git it prints 0.0.0.
set -eu
cd "$(dirname "$0")/.."
desc=$(git describe --tags --long --match 'v[0-9]*' --dirty 2>/dev/null) || desc=
if [ -n "$desc" ]; then
	# v1.2.3-4-gabcdef0[-dirty]
	dirty=
	case $desc in *-dirty) dirty=.dirty; desc=${desc%-dirty} ;; esac
	sha=${desc##*-}
	rest=${desc%-*}
	count=${rest##*-}
	tag=${rest%-*}
	ver=$(printf '%s' "${tag#v}" | tr -c 'A-Za-z0-9._+~\n' '.')
	if [ "$count" = 0 ]; then
		echo "$ver$dirty"
	else
		echo "$ver.$count.$sha$dirty"
	fi
	exit 0
fi
if sha=$(git rev-parse --short HEAD 2>/dev/null); then
	count=$(git rev-list --count HEAD)
	dirty=
	git diff --quiet HEAD 2>/dev/null || dirty=.dirty
	echo "0.0.0.$count.g$sha$dirty"
	exit 0
fi
echo 0.0.0

#!/bin/sh
# mesosbox postinst: make systemd read the new unit, enable nothing; on an
# upgrade ($2 is the old version) restart the service only if it was running.
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	systemd-tmpfiles --create mesosbox.conf >/dev/null 2>&1 || true
	if [ -n "${2:-}" ]; then
		systemctl try-restart mesosbox.service >/dev/null 2>&1 || true
	fi
fi
exit 0

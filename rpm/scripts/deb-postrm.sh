#!/bin/sh
# mesosbox postrm: forget the removed unit. The data in /var/lib/mesosbox is
# kept, even on purge: it is the cluster's state.
set -e
if { [ "$1" = remove ] || [ "$1" = purge ]; } && [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0

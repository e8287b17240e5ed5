#!/bin/sh
# mesosbox prerm: on removal, disable and stop the service.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	systemctl --no-reload disable --now mesosbox.service >/dev/null 2>&1 || true
fi
exit 0

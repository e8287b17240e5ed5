# mesosbox %postun ($1: 0 on erase, 1 on upgrade): on upgrade, restart the
# service only if it was running (%systemd_postun_with_restart); tasks keep
# running across the restart (KillMode=process).
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -ge 1 ]; then
		systemctl try-restart mesosbox.service >/dev/null 2>&1 || :
	fi
fi
if [ "$1" -eq 0 ] && [ -x /usr/bin/firewall-cmd ]; then
	firewall-cmd --reload --quiet >/dev/null 2>&1 || :
fi
exit 0

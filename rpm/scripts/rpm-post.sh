# mesosbox %post ($1: 1 on install, 2 on upgrade), as Fedora's systemd
# guidelines: make systemd read the new unit, enable nothing.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	systemd-tmpfiles --create mesosbox.conf >/dev/null 2>&1 || :
fi
# A running firewalld learns the "mesosbox" service (%firewalld_reload).
if [ -x /usr/bin/firewall-cmd ]; then
	firewall-cmd --reload --quiet >/dev/null 2>&1 || :
fi
exit 0

# mesosbox %preun ($1: 0 on erase, 1 on upgrade): on erase, disable and stop
# the service (%systemd_preun).
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
	systemctl --no-reload disable --now mesosbox.service >/dev/null 2>&1 || :
fi
exit 0

package embedui_test

import (
	"testing"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestMarathonUI: an app is created from the form (after a refused id is
// shown next to the ID field), runs, is scaled to two, one task's stdout is
// followed live; an app too big for the cluster shows in the queue with the
// reason and its deployment is rolled back; the app is destroyed after a
// confirmation.
func TestMarathonUI(t *testing.T) {
	n, cfg := startNode(t)
	marathon := nodetest.URL(n, cfg.MarathonPort)
	b := newBrowser(t, false)

	b.open(marathon + "/")
	b.waitText("main", "No applications yet")
	b.waitText(".status", "live") // the leader's event stream

	b.click(`[data-action="create-app"]`)
	b.fill(`dialog [name="id"]`, "Not_Valid")
	b.fill(`dialog [name="cmd"]`, "while true; do echo hi; sleep 1; done")
	b.click(`dialog [data-action="save-app"]`)
	b.waitJS("the id error next to the ID field", `document.querySelector('dialog [name="id"]').closest(".field").querySelector(".err").textContent.includes("must fully match")`)

	b.fill(`dialog [name="id"]`, "hello")
	b.fill(`dialog [name="cpus"]`, "0.2")
	b.fill(`dialog [name="mem"]`, "64")
	b.screenshot("marathon-create")
	b.click(`dialog [data-action="save-app"]`)
	b.waitJS("the app page", `location.hash === "#/apps/hello"`)
	b.waitJS("a running task", `[...document.querySelectorAll("tr[data-task]")].filter(r => r.textContent.includes("running")).length === 1`)

	b.fill(`input[name="instances"]`, "2")
	b.click(`[data-action="scale"]`)
	b.waitJS("two running tasks", `[...document.querySelectorAll("tr[data-task]")].filter(r => r.textContent.includes("running")).length === 2`)

	b.click(`tr[data-task] [data-action="logs"]`)
	b.waitJS("hi in the task's stdout", `document.querySelector("pre.log")?.textContent.includes("hi\n")`)
	lines := b.eval("stdout lines", `document.querySelector("pre.log").textContent.split("\n").length`)
	b.waitJS("stdout to grow while followed", `document.querySelector("pre.log").textContent.split("\n").length > `+lines)
	b.screenshot("marathon-app")

	// An app no agent can hold waits in the queue, with the reason.
	call(t, "POST", marathon+"/v2/apps", `{"id":"/too-big","cmd":"sleep 1000","cpus":64,"mem":32}`)
	b.click(`header nav a[href="#/queue"]`)
	b.waitText(`tr[data-queued="/too-big"]`, "not enough CPUs")
	b.click(`header nav a[href="#/deployments"]`)
	b.waitText("tr[data-deployment]", "/too-big")
	b.click(`tr[data-deployment] [data-action^="rollback-"]`)
	b.click(`dialog [data-confirm="yes"]`)
	b.waitText("main", "No deployment is running")

	b.click(`header nav a[href="#/apps"]`)
	b.waitText(`tr[data-app="/hello"]`, "2 / 2")
	b.gone("main", "/too-big")
	b.screenshot("marathon")

	// Edit as JSON: a label added in the JSON tab makes a new version.
	b.click(`tr[data-app="/hello"] a`)
	b.click(`[data-action="edit"]`)
	b.click(`dialog .tabs [data-tab="json"]`)
	b.waitJS("the app as JSON", `document.querySelector("dialog textarea.json").value.includes('"instances": 2')`)
	b.eval("add a label", `(() => {
		const ta = document.querySelector("dialog textarea.json");
		const def = JSON.parse(ta.value);
		def.labels = {team: "ui"};
		ta.value = JSON.stringify(def, null, 2);
		return "";
	})()`)
	b.click(`dialog [data-action="save-app"]`)
	b.waitJS("a third version", `document.querySelectorAll("[data-action^='version-']").length === 2`)
	call(t, "GET", marathon+"/v2/apps/hello", "")

	b.click(`[data-action="destroy"]`)
	b.click(`dialog [data-confirm="yes"]`)
	b.waitJS("the apps list", `location.hash === "#/apps"`)
	b.waitText("main", "No applications yet")
	waitNoTasks(t, n, cfg)
}

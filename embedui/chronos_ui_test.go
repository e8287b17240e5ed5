package embedui_test

import (
	"testing"

	"github.com/mesosbox/mesosbox/appliance/nodetest"
)

// TestChronosUI: a job is created from the form (a bad schedule is refused
// next to the field, a good one previews five runs), is run now and
// succeeds with its run in the history; a dependent job is created and the
// graph links the two; the job is disabled and enabled; both are deleted
// after a confirmation.
func TestChronosUI(t *testing.T) {
	n, cfg := startNode(t)
	chronos := nodetest.URL(n, cfg.ChronosPort)
	b := newBrowser(t, true)

	b.open(chronos + "/")
	b.waitText("main", "No jobs yet")

	b.click(`[data-action="create-job"]`)
	b.fill(`dialog [name="name"]`, "hello")
	b.fill(`dialog [name="command"]`, "echo hello from chronos; sleep 1")
	b.fill(`dialog [name="schedule"]`, "R/not-a-date/P1D")
	b.waitJS("the schedule error next to the field", `document.querySelector('dialog [name="schedule"]').closest(".field").querySelector(".err").textContent !== ""`)
	b.fill(`dialog [name="unit"]`, "days")
	b.waitJS("five runs previewed", `document.querySelectorAll("dialog ol.runs li").length === 5`)
	b.waitText("dialog .preview", "every day at")
	b.screenshot("chronos-new-job")
	b.click(`dialog [data-action="save-job"]`)
	b.waitJS("the job page", `location.hash === "#/jobs/hello"`)

	b.click(`[data-action="run-hello"]`)
	b.waitText("tr[data-run]", "success")
	b.waitText(".page-head", "success")

	b.click(`header nav a[href="#/jobs"]`)
	b.click(`[data-action="create-job"]`)
	b.fill(`dialog [name="name"]`, "after-hello")
	b.fill(`dialog [name="command"]`, "echo after")
	b.fill(`dialog [name="kind"]`, "after")
	b.click(`dialog .parents input[value="hello"]`)
	b.click(`dialog [data-action="save-job"]`)
	b.waitJS("the dependent job's page", `location.hash === "#/jobs/after-hello"`)
	b.waitText(".card", "after hello")

	// Edit the dependent job's command.
	b.click(`[data-action="edit-after-hello"]`)
	b.fill(`dialog [name="command"]`, "echo edited")
	b.click(`dialog [data-action="save-job"]`)
	b.waitText("pre.snippet", "echo edited")

	b.click(`header nav a[href="#/graph"]`)
	b.waitJS("the graph", `document.querySelector('svg.graph [data-link="hello->after-hello"]') && document.querySelector('svg.graph [data-node="after-hello"]')`)
	b.screenshot("chronos-graph")

	b.click(`header nav a[href="#/jobs"]`)
	b.waitText(`tr[data-job="hello"]`, "every day at")
	b.waitText(`tr[data-job="after-hello"]`, "after hello")
	b.click(`[data-action="disable-hello"]`)
	b.waitText(`tr[data-job="hello"]`, "disabled")
	b.click(`[data-action="disable-hello"]`)
	b.gone(`tr[data-job="hello"]`, "disabled")
	b.screenshot("chronos")

	for _, job := range []string{"after-hello", "hello"} {
		b.click(`[data-action="delete-` + job + `"]`)
		b.click(`dialog [data-confirm="yes"]`)
		b.gone("tbody", job)
	}
	b.waitText("main", "No jobs yet")
}

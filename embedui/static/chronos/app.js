// The Chronos UI: jobs, one job with its run history, and the dependency
// graph.
import {router} from "../shared/live.js";
import {markNav} from "../shared/widgets.js";
import {jobsPage, jobPage} from "./jobs.js";
import {graphPage} from "./graph.js";

router(document.getElementById("main"), {
  "/": () => { location.replace("#/jobs"); return {el: document.createElement("div")}; },
  "/jobs": jobsPage,
  "/jobs/:name": jobPage,
  "/graph": graphPage,
}, (_, path) => markNav(path));

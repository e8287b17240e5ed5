// The Marathon UI: applications, one application, deployments and the
// launch queue.
import {router} from "../shared/live.js";
import {markNav} from "../shared/widgets.js";
import {appsPage} from "./apps.js";
import {appPage} from "./app-page.js";
import {deploymentsPage, queuePage} from "./deployments.js";

router(document.getElementById("main"), {
  "/": () => { location.replace("#/apps"); return {el: document.createElement("div")}; },
  "/apps": appsPage,
  "/apps/:id*": appPage,
  "/deployments": deploymentsPage,
  "/queue": queuePage,
}, (_, path) => markNav(path));

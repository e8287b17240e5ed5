// The Mesos UI: cluster overview, tasks, and each task's sandbox.
import {router} from "../shared/live.js";
import {markNav} from "../shared/widgets.js";
import {overview} from "./overview.js";
import {tasksPage, taskPage} from "./tasks.js";

router(document.getElementById("main"), {
  "/": overview,
  "/tasks": tasksPage,
  "/tasks/:agent/:task": taskPage,
}, (_, path) => markNav(path));

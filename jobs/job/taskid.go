package job

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// TaskID is Chronos' Mesos task id, ct:<dueMillis>:<attempt>:<jobName>:<arguments>.
// Chronos reads the job, the due time and the attempt back out of the ids of
// status updates, so the format is part of the contract (and shows in
// $mesos_task_id inside jobs).
func TaskID(due time.Time, attempt int, name, arguments string) string {
	return fmt.Sprintf("ct:%d:%d:%s:%s", due.UnixMilli(), attempt, name, arguments)
}

// TaskRef is what a task id says.
type TaskRef struct {
	Due       time.Time // UTC, millisecond precision
	Attempt   int
	Job       string
	Arguments string
}

// taskIDPattern is Chronos' TaskUtils.taskIdPattern: the name cannot hold a
// colon, so everything after the name's colon is the arguments. Chronos made
// that colon optional, which let "ct:1:0:a b" pass as job "a"; here the name
// ends at the colon or at the end.
var taskIDPattern = regexp.MustCompile(`^ct:(\d+):(\d+):([\w.-]+)(?::(.*))?$`)

// ParseTaskID reads a task id made by TaskID.
func ParseTaskID(id string) (TaskRef, error) {
	m := taskIDPattern.FindStringSubmatch(id)
	if m == nil {
		return TaskRef{}, badRequest("Invalid task id format %s", id)
	}
	due, err1 := strconv.ParseInt(m[1], 10, 64)
	attempt, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return TaskRef{}, badRequest("Invalid task id format %s", id)
	}
	return TaskRef{Due: time.UnixMilli(due).UTC(), Attempt: attempt, Job: m[3], Arguments: m[4]}, nil
}

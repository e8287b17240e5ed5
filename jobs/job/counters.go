package job

import "time"

// RecordSuccess books a finished run (or PUT /job/success/{name}): the
// success counter, lastSuccess, and errorsSinceLastSuccess back to zero.
// A scheduled job whose count has run out (the launch of its last
// repetition left it at R0) is disabled, as Chronos does; the result says
// whether this call disabled it.
func (j *Job) RecordSuccess(at time.Time) (disabled bool) {
	j.SuccessCount++
	j.ErrorsSinceLastSuccess = 0
	j.LastSuccess = stamp(at)
	if j.Kind() != Scheduled || j.Disabled {
		return false
	}
	s, err := j.ParsedSchedule(at)
	if err != nil {
		return false
	}
	if n, infinite := s.Remaining(); n == 0 && !infinite {
		j.Disabled = true
		return true
	}
	return false
}

// RecordFailure books a failed attempt (attempt counts from 0) and says
// whether to retry it, with Chronos' rule (API-COMPAT §2.4): retry while
// attempt < retries, unless the job was already failing before this run
// (lastError set and later than lastSuccess), so that a broken job does not
// retry every run. A failure that is not retried counts: errorCount,
// errorsSinceLastSuccess and lastError; and when disableAfterFailures > 0
// (--disable_after_failures) and that many failures have followed the last
// success, the job is disabled.
func (j *Job) RecordFailure(at time.Time, attempt int, disableAfterFailures int64) (retry bool) {
	wasFailing := !j.LastError.IsZero() && (j.LastSuccess.IsZero() || j.LastSuccess.Before(j.LastError))
	if attempt < j.Retries && !wasFailing {
		return true
	}
	j.ErrorCount++
	j.ErrorsSinceLastSuccess++
	j.LastError = stamp(at)
	if disableAfterFailures > 0 && j.ErrorsSinceLastSuccess >= disableAfterFailures {
		j.Disabled = true
	}
	return false
}

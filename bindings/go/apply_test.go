package dgc

import (
	"testing"
	"time"
)

func TestRequestTimeoutIsGivenInMilliseconds(t *testing.T) {
	for timeout, want := range map[time.Duration]int64{
		0:                       0,  // libdgc's default
		-time.Nanosecond:        -1, // no limit, though under a millisecond
		1500 * time.Millisecond: 1500,
		2 * time.Minute:         120000,
	} {
		if got := int64(timeoutMillis(timeout)); got != want {
			t.Errorf("timeoutMillis(%v) = %d, want %d", timeout, got, want)
		}
	}
}

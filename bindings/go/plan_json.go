package dgc

import (
	"encoding/json"
	"reflect"
	"time"
)

// planFields is PlanDoc without its JSON methods, for encoding/json.
type planFields PlanDoc

// UnmarshalJSON reads a dgc.plan/v1 document and keeps its text.
func (p *PlanDoc) UnmarshalJSON(text []byte) error {
	var fields planFields
	if err := json.Unmarshal(text, &fields); err != nil {
		return err
	}
	fields.raw = append([]byte(nil), text...)
	*p = PlanDoc(fields)
	return nil
}

// MarshalJSON writes the plan as dgc.plan/v1: the very text it was read
// from (with any field libdgc wrote that PlanDoc lacks) while its fields
// are unchanged, else its fields.
func (p PlanDoc) MarshalJSON() ([]byte, error) {
	fields := planFields(p)
	fields.raw = nil
	if p.raw != nil {
		var original planFields
		if json.Unmarshal(p.raw, &original) == nil &&
			reflect.DeepEqual(original, fields) {
			return p.raw, nil
		}
	}
	return json.Marshal(fields)
}

// rfc3339 is a time libdgc writes as RFC 3339, or as "" when it does not
// know it: the zero time.Time.
type rfc3339 time.Time

// MarshalJSON writes the time as libdgc does: "" when zero.
func (t rfc3339) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte(`""`), nil
	}
	return time.Time(t).MarshalJSON()
}

// UnmarshalJSON reads an RFC 3339 time, or "" as the zero time.Time.
func (t *rfc3339) UnmarshalJSON(text []byte) error {
	if string(text) == `""` {
		*t = rfc3339{}
		return nil
	}
	return (*time.Time)(t).UnmarshalJSON(text)
}

// actionFields is Action without its JSON methods, for encoding/json.
type actionFields Action

// actionJSON is an Action as libdgc writes it: its times "" when unknown,
// and the fields of an op only in actions of that op (nil: absent).
type actionJSON struct {
	actionFields
	Created       rfc3339   `json:"created"`
	Container     *string   `json:"container,omitempty"`
	ContainerName *string   `json:"container_name,omitempty"`
	StoppedAt     *rfc3339  `json:"stopped_at,omitempty"`
	Volume        *string   `json:"volume,omitempty"`
	Records       *[]string `json:"records,omitempty"`
}

// UnmarshalJSON reads an action of a dgc.plan/v1 document.
func (a *Action) UnmarshalJSON(text []byte) error {
	var doc actionJSON
	if err := json.Unmarshal(text, &doc); err != nil {
		return err
	}
	action := Action(doc.actionFields)
	action.Created = time.Time(doc.Created)
	if doc.Container != nil {
		action.Container = *doc.Container
	}
	if doc.ContainerName != nil {
		action.ContainerName = *doc.ContainerName
	}
	if doc.StoppedAt != nil {
		action.StoppedAt = time.Time(*doc.StoppedAt)
	}
	if doc.Volume != nil {
		action.Volume = *doc.Volume
	}
	if doc.Records != nil {
		action.Records = *doc.Records
	}
	*a = action
	return nil
}

// MarshalJSON writes the action as libdgc does: Container, ContainerName
// and StoppedAt for OpRemoveContainer only, Volume for OpRemoveVolume,
// Records for OpPruneBuildCache, and a zero time as "".
func (a Action) MarshalJSON() ([]byte, error) {
	doc := actionJSON{actionFields: actionFields(a), Created: rfc3339(a.Created)}
	switch a.Op {
	case OpRemoveContainer:
		stoppedAt := rfc3339(a.StoppedAt)
		doc.Container, doc.ContainerName = &a.Container, &a.ContainerName
		doc.StoppedAt = &stoppedAt
	case OpRemoveVolume:
		doc.Volume = &a.Volume
	case OpPruneBuildCache:
		doc.Records = &a.Records
	}
	return json.Marshal(doc)
}

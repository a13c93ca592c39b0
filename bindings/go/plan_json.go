package dgc

import (
	"encoding/json"
	"reflect"
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

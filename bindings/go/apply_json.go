package dgc

import "encoding/json"

// resultFields is ActionResult without its JSON methods, for encoding/json.
type resultFields ActionResult

// resultJSON is an ActionResult as libdgc writes it: the fields of an op
// only in results of that op (nil: absent).
type resultJSON struct {
	resultFields
	Container *string   `json:"container,omitempty"`
	Volume    *string   `json:"volume,omitempty"`
	Records   *[]string `json:"records,omitempty"`
}

// MarshalJSON writes the result as libdgc does: Container for
// OpRemoveContainer only, Volume for OpRemoveVolume, Records for
// OpPruneBuildCache.
func (r ActionResult) MarshalJSON() ([]byte, error) {
	doc := resultJSON{resultFields: resultFields(r)}
	switch r.Op {
	case OpRemoveContainer:
		doc.Container = &r.Container
	case OpRemoveVolume:
		doc.Volume = &r.Volume
	case OpPruneBuildCache:
		doc.Records = &r.Records
	}
	return json.Marshal(doc)
}

package dgc

// #include <dgc/dgc.h>
import "C"

// DF returns the disk usage (dgc.df/v1) of the engine at host, or, when
// host is "", of the engine the docker CLI would use (DOCKER_HOST,
// DOCKER_CONTEXT, the config's current context). It only reads from the
// engine. Errors: ErrCodeInvalid or ErrCodeNotFound for a host or context
// it cannot use; ErrCodeUnavailable, ErrCodeTimeout, ErrCodePermission,
// ErrCodeEngine, ErrCodeProtocol from the engine; ErrCodePrecondition for
// an engine whose bytes cannot be accounted exactly.
func DF(host string) (*DFDoc, error) {
	return diskUsage(fromEngine(host))
}

// DFFromSnapshot returns the disk usage (dgc.df/v1) recorded in the
// dgc.snapshot/v1 file at path. Errors name the file: ErrCodeNotFound,
// ErrCodeIO, ErrCodeInvalid, ErrCodePrecondition.
func DFFromSnapshot(path string) (*DFDoc, error) {
	return diskUsage(fromSnapshot(path))
}

// diskUsage returns the dgc.df/v1 document of the inventory read gives.
func diskUsage(read inventoryReader) (*DFDoc, error) {
	inv, err := read()
	if err != nil {
		return nil, err
	}
	defer C.dgc_inventory_free(inv)
	return readDocument[DFDoc](func(buf *C.dgc_buf) C.int {
		return C.dgc_df(buf, inv)
	})
}

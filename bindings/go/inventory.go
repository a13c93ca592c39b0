package dgc

// Where Plan and DF read images from: a live engine or a snapshot file.

// #include <stdlib.h>
// #include <dgc/dgc.h>
import "C"

import "unsafe"

// inventoryReader reads an inventory for the caller to release with
// dgc_inventory_free.
type inventoryReader func() (*C.dgc_inventory, error)

// newClient returns a client, for the caller to release with
// dgc_client_free, of the engine at host, or, when host is "", of the
// engine the docker CLI would use.
func newClient(host string) (*C.dgc_client, error) {
	chost := cString(host)
	defer C.free(unsafe.Pointer(chost))
	var client *C.dgc_client
	err := call(func() C.int { return C.dgc_client_new(&client, chost) })
	return client, err
}

// fromEngine reads the inventory of the engine at host ("": as docker
// resolves it).
func fromEngine(host string) inventoryReader {
	return func() (*C.dgc_inventory, error) {
		client, err := newClient(host)
		if err != nil {
			return nil, err
		}
		defer C.dgc_client_free(client)
		var inv *C.dgc_inventory
		err = call(func() C.int { return C.dgc_inventory_fetch(&inv, client) })
		return inv, err
	}
}

// fromSnapshot reads the dgc.snapshot/v1 file at path.
func fromSnapshot(path string) inventoryReader {
	return func() (*C.dgc_inventory, error) {
		cpath := C.CString(path)
		defer C.free(unsafe.Pointer(cpath))
		var inv *C.dgc_inventory
		err := call(func() C.int {
			return C.dgc_inventory_load_snapshot(&inv, cpath)
		})
		return inv, err
	}
}

//! SQLite allocates through mimalloc, as the rest of the server does. With glibc's malloc,
//! every statement that opens a temporary b-tree (a RETURNING clause, an ORDER BY over a
//! subquery: each claim has three) took and gave back a fresh page-cache block, and the
//! kernel faulted its pages in anew: a tenth of the claim profile.

use libmimalloc_sys::{mi_free, mi_good_size, mi_malloc, mi_realloc, mi_usable_size};
use rusqlite::ffi;
use std::ffi::{c_int, c_void};
use std::sync::Once;

unsafe extern "C" fn malloc(size: c_int) -> *mut c_void {
    // SAFETY: mi_malloc takes any size; SQLite never asks for a negative one.
    unsafe { mi_malloc(size.max(0) as usize) }
}

unsafe extern "C" fn free(block: *mut c_void) {
    // SAFETY: SQLite frees only what `malloc`/`realloc` above gave it.
    unsafe { mi_free(block) }
}

unsafe extern "C" fn realloc(block: *mut c_void, size: c_int) -> *mut c_void {
    // SAFETY: as for `free`; the size as for `malloc`.
    unsafe { mi_realloc(block, size.max(0) as usize) }
}

unsafe extern "C" fn size(block: *mut c_void) -> c_int {
    // SAFETY: `block` came from `malloc`/`realloc` above. SQLite allocations stay far below
    // 2 GiB (it limits them itself).
    unsafe { mi_usable_size(block) as c_int }
}

unsafe extern "C" fn roundup(size: c_int) -> c_int {
    // SAFETY: a pure size computation.
    unsafe { mi_good_size(size.max(0) as usize).min(c_int::MAX as usize) as c_int }
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// Routes SQLite's allocations to mimalloc. Takes effect only before SQLite's first use in
/// the process (SQLite refuses it later, and then keeps the system allocator).
pub fn use_mimalloc() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: SQLITE_CONFIG_MALLOC takes a pointer to the methods and copies them.
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods) };
        if rc != ffi::SQLITE_OK {
            tracing::debug!(rc, "SQLite keeps the system allocator (it was already in use)");
        }
    });
}

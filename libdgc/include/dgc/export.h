/* DGC_EXPORT marks the C API's symbols as exported from libdgc, which is
 * built with hidden visibility: nothing else leaves the library. */
#ifndef DGC_EXPORT_H_
#define DGC_EXPORT_H_

#if defined(DGC_STATIC)
#define DGC_EXPORT
#elif defined(__GNUC__)
#define DGC_EXPORT __attribute__((visibility("default")))
#else
#define DGC_EXPORT
#endif

#endif /* DGC_EXPORT_H_ */

// OpenBLAS's CBLAS interface (Debian: libopenblas-dev; pkg-config adds the include path).
#include <cblas.h>

// The generated protobuf-c bindings of Protos/steer/v1/steer.proto.
#include "steer/v1/steer.pb-c.h"

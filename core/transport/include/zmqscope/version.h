#pragma once

#include <QString>

namespace zmqscope {

/// The library version, as in project() ("0.1.0").
[[nodiscard]] QString libraryVersion();
/// The libzmq version it runs on ("4.3.4").
[[nodiscard]] QString zmqVersion();

} // namespace zmqscope

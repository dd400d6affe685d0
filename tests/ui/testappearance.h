#pragma once

// Every UI suite is linked with testappearance.cpp, so it can run with another application font
// and other window sizes than the defaults of the machine it was written on. packaging/dev.sh test
// runs the ui label twice: once as is, once with
//
//   ZMQSCOPE_TEST_FONT="FAMILY,POINTS"   the application font (the family must be installed)
//   ZMQSCOPE_TEST_WINDOW_SCALE=F         every windowSize() scaled by F (0.25 to 4)
//
// so a test that expects this machine's row heights, text widths or viewport sizes fails in CI
// instead of on the next machine. Tests size their windows through windowSize() and derive
// everything else from the widgets they drive.

#include <QSize>

namespace uitest {

/// The size a test gives its window: `size` scaled by ZMQSCOPE_TEST_WINDOW_SCALE (1 when unset).
[[nodiscard]] QSize windowSize(QSize size);

} // namespace uitest

#include "testappearance.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <QApplication>
#include <QFont>
#include <QFontDatabase>
#include <QFontInfo>
#include <QString>

namespace {

// Set before any test function runs (Q_COREAPP_STARTUP_FUNCTION: right after QApplication is
// built); a value that cannot be used ends the run, so a typo never passes as the default look.
void applyTestAppearance()
{
    const QString font = qEnvironmentVariable("ZMQSCOPE_TEST_FONT");
    // Suites without widgets run on a QCoreApplication (QTEST_GUILESS_MAIN): no font to set.
    if (!font.isEmpty() && qobject_cast<QApplication *>(QCoreApplication::instance())) {
        const int comma = font.lastIndexOf(u',');
        bool ok = false;
        const double points = comma > 0 ? QStringView(font).mid(comma + 1).toDouble(&ok) : 0;
        const QString family = font.left(comma).trimmed();
        if (!ok || points < 4 || points > 72)
            qFatal("ZMQSCOPE_TEST_FONT=\"%s\": expected FAMILY,POINTS with 4 to 72 points", qPrintable(font));
        if (!QFontDatabase::hasFamily(family))
            qFatal("ZMQSCOPE_TEST_FONT: the font family \"%s\" is not installed", qPrintable(family));
        QFont applied(family);
        applied.setPointSizeF(points);
        QApplication::setFont(applied);
        const QFontInfo info(QApplication::font());
        std::fprintf(stderr, "testappearance: application font %s, %g pt\n", qPrintable(info.family()),
            info.pointSizeF());
    }
    const double scale = uitest::windowSize(QSize(1000, 1000)).width() / 1000.0;
    if (scale != 1.0)
        std::fprintf(stderr, "testappearance: window sizes scaled by %g\n", scale);
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(applyTestAppearance)

namespace uitest {

QSize windowSize(QSize size)
{
    const QString text = qEnvironmentVariable("ZMQSCOPE_TEST_WINDOW_SCALE");
    if (text.isEmpty())
        return size;
    bool ok = false;
    const double scale = text.toDouble(&ok);
    if (!ok || !(scale >= 0.25 && scale <= 4))
        qFatal("ZMQSCOPE_TEST_WINDOW_SCALE=\"%s\": expected a number from 0.25 to 4", qPrintable(text));
    return { int(std::lround(size.width() * scale)), int(std::lround(size.height() * scale)) };
}

} // namespace uitest

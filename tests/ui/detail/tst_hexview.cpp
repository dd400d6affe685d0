#include <cstring>
#include <memory>

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

#include "detail/hexview.h"
#include "testappearance.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr qsizetype BigSize = qsizetype { 64 } << 20;

// 64 MiB whose byte i is i & 0xff, except a readable last line.
QByteArray bigBody()
{
    QByteArray data(BigSize, Qt::Uninitialized);
    char pattern[256];
    for (int i = 0; i < 256; ++i)
        pattern[i] = static_cast<char>(i);
    for (qsizetype offset = 0; offset < BigSize; offset += 256)
        std::memcpy(data.data() + offset, pattern, 256);
    std::memcpy(data.data() + BigSize - 16, "zmqscope-end-64M", 16);
    return data;
}

} // namespace

class TestHexView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void lineText_data();
    void lineText();
    void emptyData();
    void opensLargeBody();
    void keyboardSelectionAndCopy();
    void mouseSelection();
    void copyRefused();
    void copyTooLarge();
    void parseOffset_data();
    void parseOffset();
    void goToOffsetDialog();
    void goToOffsetDialogRejectsBadInput();
    void cellsHoldEveryCharacter();

private:
    /// Where the left edge of byte `column` of a line is in the ASCII column, in viewport pixels.
    [[nodiscard]] int asciiX(int column) const;

    std::unique_ptr<HexView> m_view;
};

void TestHexView::init()
{
    QGuiApplication::clipboard()->clear();
    m_view = std::make_unique<HexView>();
    m_view->resize(uitest::windowSize({ 760, 420 }));
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestHexView::cleanup()
{
    m_view.reset();
}

int TestHexView::asciiX(int column) const
{
    const int charWidth = m_view->charWidth();
    // One character of margin, 8 offset digits, 2 blanks, 48 hex columns, 2 blanks.
    return charWidth * (1 + 8 + 2 + 48 + 2 + column);
}

void TestHexView::lineText_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<QString>("expected");
    const QByteArray hello = QByteArrayLiteral("Hello, hex world\x00\x01\x7f.<b>");
    QTest::newRow("full line")
        << hello << qint64(0)
        << u"00000000  48 65 6c 6c 6f 2c 20 68  65 78 20 77 6f 72 6c 64  Hello, hex world"_s;
    QTest::newRow("short last line") << hello << qint64(1)
                                     << u"00000010  00 01 7f 2e 3c 62 3e"_s + QString(30, u' ')
            + u"....<b>"_s;
    QTest::newRow("past the end") << hello << qint64(2) << QString();
    QTest::newRow("negative") << hello << qint64(-1) << QString();
}

void TestHexView::lineText()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, line);
    QFETCH(QString, expected);
    m_view->setData(data);
    QCOMPARE(m_view->lineText(line), expected);
}

void TestHexView::emptyData()
{
    m_view->setData({});
    QCOMPARE(m_view->lineCount(), 0);
    QCOMPARE(m_view->lastVisibleLine(), -1);
    QCOMPARE(m_view->verticalScrollBar()->maximum(), 0);
    m_view->selectAll();
    QVERIFY(!m_view->hasSelection());
    QVERIFY(!m_view->goToOffset(0));
    // Painting the empty state must work too.
    QVERIFY(!m_view->viewport()->grab().isNull());
}

void TestHexView::opensLargeBody()
{
    const auto data = bigBody();
    m_view->setData(data);
    // Shared, not copied.
    QCOMPARE(m_view->data().constData(), data.constData());
    QCOMPARE(m_view->lineCount(), BigSize / 16);

    const int visible = m_view->visibleLineCount();
    QVERIFY(visible > 5);
    auto *scrollBar = m_view->verticalScrollBar();
    QCOMPARE(scrollBar->minimum(), 0);
    QCOMPARE(scrollBar->maximum(), BigSize / 16 - visible);
    QCOMPARE(scrollBar->pageStep(), visible);

    QCOMPARE(m_view->firstVisibleLine(), 0);
    QCOMPARE(m_view->lineText(m_view->firstVisibleLine()),
        u"00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  ................"_s);
    QCOMPARE(m_view->lineText(2),
        u"00000020  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f   !\"#$%&'()*+,-./"_s);

    // The view paints: its pixels are not all the background colour.
    auto image = m_view->viewport()->grab().toImage();
    const auto background = image.pixel(image.width() - 1, image.height() - 1);
    bool painted = false;
    for (int y = 0; y < image.height() && !painted; y += 2)
        for (int x = 0; x < image.width() && !painted; ++x)
            painted = image.pixel(x, y) != background;
    QVERIFY(painted);

    scrollBar->setValue(scrollBar->maximum());
    QCOMPARE(m_view->firstVisibleLine(), BigSize / 16 - visible);
    QCOMPARE(m_view->lastVisibleLine(), BigSize / 16 - 1);
    QCOMPARE(m_view->lineText(m_view->lastVisibleLine()),
        u"03fffff0  7a 6d 71 73 63 6f 70 65  2d 65 6e 64 2d 36 34 4d  zmqscope-end-64M"_s);
    QVERIFY(!m_view->viewport()->grab().isNull());

    // Ctrl+End moves the cursor to the end and keeps it in view; Ctrl+Home goes back.
    QTest::keyClick(m_view.get(), Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(m_view->cursorPosition(), 0);
    QCOMPARE(m_view->firstVisibleLine(), 0);
    QTest::keyClick(m_view.get(), Qt::Key_End, Qt::ControlModifier);
    QCOMPARE(m_view->cursorPosition(), BigSize);
    QCOMPARE(m_view->lastVisibleLine(), BigSize / 16 - 1);
}

void TestHexView::keyboardSelectionAndCopy()
{
    m_view->setData(QByteArrayLiteral("Hello, hex world! Second line here."));
    QSignalSpy copied(m_view.get(), &HexView::copied);
    QTest::keyClick(m_view.get(), Qt::Key_Right, Qt::ShiftModifier);
    QTest::keyClick(m_view.get(), Qt::Key_Right, Qt::ShiftModifier);
    QTest::keyClick(m_view.get(), Qt::Key_Right, Qt::ShiftModifier);
    QTest::keyClick(m_view.get(), Qt::Key_Right, Qt::ShiftModifier);
    QTest::keyClick(m_view.get(), Qt::Key_Right, Qt::ShiftModifier);
    QCOMPARE(m_view->selectionStart(), 0);
    QCOMPARE(m_view->selectionLength(), 5);
    QCOMPARE(m_view->selectedBytes(), QByteArrayLiteral("Hello"));

    QTest::keyClick(m_view.get(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), u"48 65 6c 6c 6f"_s);
    QTest::keyClick(m_view.get(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), u"Hello"_s);
    QCOMPARE(copied.count(), 2);

    // Down moves a whole line; without Shift the selection goes away.
    QTest::keyClick(m_view.get(), Qt::Key_Down);
    QCOMPARE(m_view->cursorPosition(), 21);
    QVERIFY(!m_view->hasSelection());

    QTest::keyClick(m_view.get(), Qt::Key_A, Qt::ControlModifier);
    QCOMPARE(m_view->selectionLength(), m_view->data().size());
    QVERIFY(m_view->copySelectionAsText());
    QCOMPARE(QGuiApplication::clipboard()->text(), u"Hello, hex world! Second line here."_s);
}

void TestHexView::mouseSelection()
{
    m_view->setData(QByteArrayLiteral("Hello, hex world! Second line here."));
    const int y = QFontMetrics(m_view->font()).lineSpacing() / 2;
    auto *viewport = m_view->viewport();
    // Press on the left half of 'H' in the ASCII column, drag to the right half of the first 'o'.
    QTest::mousePress(viewport, Qt::LeftButton, {}, QPoint(asciiX(0) + 1, y));
    QCOMPARE(m_view->cursorPosition(), 0);
    QMouseEvent move(QEvent::MouseMove, QPointF(asciiX(4) + 6, y),
        viewport->mapToGlobal(QPointF(asciiX(4) + 6, y)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, QPoint(asciiX(4) + 6, y));
    QCOMPARE(m_view->selectedBytes(), QByteArrayLiteral("Hello"));

    // Shift+click in the second line extends the selection from the same anchor.
    const int lineHeight = QFontMetrics(m_view->font()).lineSpacing();
    QTest::mouseClick(viewport, Qt::LeftButton, Qt::ShiftModifier, QPoint(asciiX(2) + 1, lineHeight + y));
    QCOMPARE(m_view->selectionStart(), 0);
    QCOMPARE(m_view->selectionLength(), 18);
    QVERIFY(m_view->copySelectionAsHex());
    QCOMPARE(
        QGuiApplication::clipboard()->text(), u"48 65 6c 6c 6f 2c 20 68 65 78 20 77 6f 72 6c 64 21 20"_s);
}

void TestHexView::copyRefused()
{
    m_view->setData(QByteArrayLiteral("abc"));
    QGuiApplication::clipboard()->setText(u"unchanged"_s);
    QSignalSpy refused(m_view.get(), &HexView::copyRefused);
    QVERIFY(!m_view->copySelectionAsHex());
    QCOMPARE(refused.count(), 1);
    QVERIFY(refused.at(0).at(0).toString().contains(u"no bytes are selected"_s));
    QCOMPARE(QGuiApplication::clipboard()->text(), u"unchanged"_s);
}

void TestHexView::copyTooLarge()
{
    m_view->setData(QByteArray(17 << 20, 'x'));
    QGuiApplication::clipboard()->setText(u"unchanged"_s);
    QSignalSpy refused(m_view.get(), &HexView::copyRefused);
    m_view->selectAll();
    QVERIFY(!m_view->copySelectionAsText());
    QCOMPARE(refused.count(), 1);
    QVERIFY2(
        refused.at(0).at(0).toString().contains(u"17.0 MiB"_s), qPrintable(refused.at(0).at(0).toString()));
    QCOMPARE(QGuiApplication::clipboard()->text(), u"unchanged"_s);
}

void TestHexView::parseOffset_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("expected"); // -1: an error
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("decimal") << u"4096"_s << qint64(8192) << qint64(4096) << QString();
    QTest::newRow("hex") << u"0x1F"_s << qint64(8192) << qint64(31) << QString();
    QTest::newRow("hex upper prefix, blanks") << u"  0X10 "_s << qint64(8192) << qint64(16) << QString();
    QTest::newRow("last byte") << u"8191"_s << qint64(8192) << qint64(8191) << QString();
    QTest::newRow("past the end") << u"8192"_s << qint64(8192) << qint64(-1)
                                  << u"Offset 8192 is past the end"_s;
    QTest::newRow("word") << u"banana"_s << qint64(8192) << qint64(-1) << u"“banana” is not an offset"_s;
    QTest::newRow("negative") << u"-5"_s << qint64(8192) << qint64(-1) << u"“-5” is not an offset"_s;
    QTest::newRow("bare prefix") << u"0x"_s << qint64(8192) << qint64(-1) << u"“0x” is not an offset"_s;
    QTest::newRow("signed hex") << u"0x-5"_s << qint64(8192) << qint64(-1) << u"“0x-5” is not an offset"_s;
    QTest::newRow("empty") << QString() << qint64(8192) << qint64(-1) << u"Enter an offset"_s;
    QTest::newRow("no data") << u"0"_s << qint64(0) << qint64(-1) << u"no bytes"_s;
}

void TestHexView::parseOffset()
{
    QFETCH(QString, text);
    QFETCH(qint64, size);
    QFETCH(qint64, expected);
    QFETCH(QString, errorPart);
    const zmqscope::Result<qint64> offset = HexView::parseOffset(text, size);
    if (expected < 0) {
        QVERIFY(!offset);
        QCOMPARE(offset.error().code(), zmqscope::ErrorCode::InvalidOptionValue);
        const QString error = offset.errorMessage();
        QVERIFY2(error.contains(errorPart), qPrintable(error));
        QVERIFY2(!error.contains(u'\n'), qPrintable(error));
    } else {
        QVERIFY2(offset, qPrintable(offset.errorMessage()));
        QCOMPARE(*offset, expected);
    }
}

void TestHexView::goToOffsetDialog()
{
    m_view->setData(bigBody());
    m_view->setFocus();
    QTest::keyClick(m_view.get(), Qt::Key_G, Qt::ControlModifier);
    auto *dialog = m_view->findChild<QDialog *>(u"goToOffsetDialog"_s);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *edit = dialog->findChild<QLineEdit *>(u"offsetEdit"_s);
    QVERIFY(edit);
    edit->setText(u"0x200005"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    QTRY_VERIFY(!m_view->findChild<QDialog *>(u"goToOffsetDialog"_s));
    QCOMPARE(m_view->cursorPosition(), 0x200005);
    QCOMPARE(m_view->firstVisibleLine(), 0x20000);
    QVERIFY(m_view->lineText(m_view->firstVisibleLine()).startsWith(u"00200000  00 01 02 03 04"_s));

    // An offset already on screen moves the cursor without scrolling.
    QVERIFY(m_view->goToOffset(0x200025));
    QCOMPARE(m_view->firstVisibleLine(), 0x20000);
    QCOMPARE(m_view->cursorPosition(), 0x200025);
}

void TestHexView::goToOffsetDialogRejectsBadInput()
{
    m_view->setData(QByteArray(4096, 'a'));
    m_view->showGoToOffsetDialog();
    auto *dialog = m_view->findChild<QDialog *>(u"goToOffsetDialog"_s);
    QVERIFY(dialog);
    auto *edit = dialog->findChild<QLineEdit *>(u"offsetEdit"_s);
    auto *error = dialog->findChild<QLabel *>(u"offsetError"_s);
    QVERIFY(edit && error);
    QVERIFY(error->isHidden());

    edit->setText(u"0x5000"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    QVERIFY(dialog->isVisible());
    QVERIFY(!error->isHidden());
    QCOMPARE(error->textFormat(), Qt::PlainText);
    QVERIFY2(error->text().contains(u"0x5000 is past the end"_s), qPrintable(error->text()));
    QCOMPARE(m_view->cursorPosition(), 0);

    edit->setText(u"<b>oops</b>"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    QVERIFY(dialog->isVisible());
    QVERIFY(error->text().contains(u"“<b>oops</b>” is not an offset"_s));

    QTest::keyClick(edit, Qt::Key_Escape);
    QTRY_VERIFY(!m_view->findChild<QDialog *>(u"goToOffsetDialog"_s));
    QCOMPARE(m_view->cursorPosition(), 0);
}

void TestHexView::cellsHoldEveryCharacter()
{
    // A proportional font (as a missing monospace font falls back to): every character still fits its
    // cell, and the view asks for the width of all three columns.
    QFont font(u"DejaVu Sans"_s);
    font.setStyleHint(QFont::SansSerif);
    font.setFixedPitch(false);
    m_view->setFont(font);
    const QFontMetricsF metrics(m_view->font());
    for (char16_t c = 0x20; c < 0x7f; ++c) {
        QVERIFY2(metrics.horizontalAdvance(QChar(c)) <= m_view->charWidth(),
            qPrintable(u"'%1' is %2 px, cells are %3 px"_s.arg(QChar(c))
                           .arg(metrics.horizontalAdvance(QChar(c)))
                           .arg(m_view->charWidth())));
    }
    m_view->setData(QByteArray(64, 'W'));
    QCOMPARE(m_view->contentWidth(), m_view->charWidth() * (1 + 8 + 2 + 48 + 2 + 16 + 1));
    QVERIFY(m_view->sizeHint().width() >= m_view->contentWidth() + 2 * m_view->frameWidth());
    m_view->resize(m_view->sizeHint().width(), 300);
    QTRY_COMPARE(m_view->horizontalScrollBar()->maximum(), 0);
    QVERIFY(asciiX(16) <= m_view->viewport()->width());
}

QTEST_MAIN(TestHexView)
#include "tst_hexview.moc"

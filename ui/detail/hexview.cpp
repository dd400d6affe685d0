#include "detail/hexview.h"

#include <array>
#include <cmath>
#include <limits>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>

#include "compose/inlinemessage.h"
#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// Character columns of one line: offset, 2 blanks, 16 hex pairs (48 characters with
// their blanks and the extra blank after the 8th), 2 blanks, 16 ASCII characters.
constexpr int HexColumnsWidth = HexView::BytesPerLine * 3;
constexpr int GapColumns = 2;

/// Where byte i of a line starts, in characters from the start of the hex column.
constexpr int hexByteColumn(int i)
{
    return i * 3 + (i >= HexView::BytesPerLine / 2 ? 1 : 0);
}

// The scroll bar works in lines; beyond what an int holds its steps are scaled.
constexpr qint64 MaxScrollValue = std::numeric_limits<int>::max();

struct Movement
{
    QKeySequence::StandardKey move;
    QKeySequence::StandardKey select;
};

constexpr std::array Movements {
    Movement { QKeySequence::MoveToNextChar, QKeySequence::SelectNextChar },
    Movement { QKeySequence::MoveToPreviousChar, QKeySequence::SelectPreviousChar },
    Movement { QKeySequence::MoveToNextLine, QKeySequence::SelectNextLine },
    Movement { QKeySequence::MoveToPreviousLine, QKeySequence::SelectPreviousLine },
    Movement { QKeySequence::MoveToNextPage, QKeySequence::SelectNextPage },
    Movement { QKeySequence::MoveToPreviousPage, QKeySequence::SelectPreviousPage },
    Movement { QKeySequence::MoveToStartOfLine, QKeySequence::SelectStartOfLine },
    Movement { QKeySequence::MoveToEndOfLine, QKeySequence::SelectEndOfLine },
    Movement { QKeySequence::MoveToStartOfDocument, QKeySequence::SelectStartOfDocument },
    Movement { QKeySequence::MoveToEndOfDocument, QKeySequence::SelectEndOfDocument },
};

const QKeySequence CopyAsTextKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_C);
const QKeySequence GoToOffsetKeys(Qt::CTRL | Qt::Key_G);

bool isCopyAsText(const QKeyEvent *event)
{
    return QKeySequence(event->keyCombination()) == CopyAsTextKeys;
}

bool isGoToOffset(const QKeyEvent *event)
{
    return QKeySequence(event->keyCombination()) == GoToOffsetKeys;
}

QString hexOffset(qint64 offset)
{
    return u"0x"_s + QString::number(offset, 16);
}

} // namespace

HexView::HexView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setAutoFillBackground(true);
    horizontalScrollBar()->setSingleStep(8);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    m_copyHexAction = new QAction(tr("Copy as &Hex"), this);
    m_copyHexAction->setShortcut(QKeySequence::Copy);
    connect(m_copyHexAction, &QAction::triggered, this, &HexView::copySelectionAsHex);
    m_copyTextAction = new QAction(tr("Copy as &Text"), this);
    m_copyTextAction->setShortcut(CopyAsTextKeys);
    connect(m_copyTextAction, &QAction::triggered, this, &HexView::copySelectionAsText);
    m_selectAllAction = new QAction(tr("Select &All"), this);
    m_selectAllAction->setShortcut(QKeySequence::SelectAll);
    connect(m_selectAllAction, &QAction::triggered, this, &HexView::selectAll);
    m_goToAction = new QAction(tr("&Go to Offset…"), this);
    m_goToAction->setShortcut(GoToOffsetKeys);
    connect(m_goToAction, &QAction::triggered, this, &HexView::showGoToOffsetDialog);
    // The shortcuts are handled in keyPressEvent (focus-local); on the actions they only label the menu.
    for (auto *action : { m_copyHexAction, m_copyTextAction, m_selectAllAction, m_goToAction })
        action->setShortcutContext(Qt::WidgetShortcut);

    updateMetrics();
    updateScrollBars();
}

HexView::~HexView() = default;

void HexView::setData(const QByteArray &data)
{
    m_data = data;
    m_cursor = 0;
    m_anchor = 0;
    m_dragging = false;
    if (m_goToDialog)
        m_goToDialog->reject();
    // Wider offsets need a wider offset column; recompute the content width before the scroll bars.
    updateScrollBars();
    verticalScrollBar()->setValue(0);
    horizontalScrollBar()->setValue(0);
    m_topLine = 0;
    viewport()->update();
    Q_EMIT cursorPositionChanged(m_cursor);
    Q_EMIT selectionChanged();
}

qint64 HexView::lineCount() const
{
    return (m_data.size() + BytesPerLine - 1) / BytesPerLine;
}

qint64 HexView::lastVisibleLine() const
{
    if (m_data.isEmpty())
        return -1;
    const qint64 partlyVisible = (viewport()->height() + m_lineHeight - 1) / m_lineHeight;
    return std::min(lineCount() - 1, m_topLine + std::max<qint64>(1, partlyVisible) - 1);
}

int HexView::visibleLineCount() const
{
    return std::max(1, viewport()->height() / m_lineHeight);
}

qint64 HexView::maxTopLine() const
{
    return std::max<qint64>(0, lineCount() - visibleLineCount());
}

int HexView::toScrollValue(qint64 line) const
{
    const auto maxTop = maxTopLine();
    line = std::clamp<qint64>(line, 0, maxTop);
    if (maxTop <= MaxScrollValue)
        return static_cast<int>(line);
    return static_cast<int>(std::llround(static_cast<long double>(line) * MaxScrollValue / maxTop));
}

qint64 HexView::fromScrollValue(int value) const
{
    const auto maxTop = maxTopLine();
    if (maxTop <= MaxScrollValue)
        return std::clamp<qint64>(value, 0, maxTop);
    return std::clamp<qint64>(
        std::llround(static_cast<long double>(value) * maxTop / MaxScrollValue), 0, maxTop);
}

void HexView::scrollToLine(qint64 line)
{
    const auto value = toScrollValue(line);
    if (verticalScrollBar()->value() != value) {
        verticalScrollBar()->setValue(value); // scrollContentsBy() follows
    }
    // With scaled steps the value cannot say every line; keep the exact one.
    m_topLine = std::clamp<qint64>(line, 0, maxTopLine());
    viewport()->update();
}

int HexView::offsetDigits() const
{
    int digits = 8;
    for (qint64 last = std::max<qint64>(0, m_data.size() - 1) >> 32; last > 0; last >>= 4)
        ++digits;
    return digits;
}

QString HexView::lineText(qint64 line) const
{
    if (line < 0 || line >= lineCount())
        return {};
    const qint64 start = line * BytesPerLine;
    const int count = static_cast<int>(std::min<qint64>(BytesPerLine, m_data.size() - start));
    QString text = QString::number(start, 16).rightJustified(offsetDigits(), u'0');
    text += QString(GapColumns, u' ');
    QString hexPart(HexColumnsWidth, u' ');
    QString asciiPart(count, u' ');
    static constexpr char Digits[] = "0123456789abcdef";
    for (int i = 0; i < count; ++i) {
        const auto byte = static_cast<unsigned char>(m_data[start + i]);
        hexPart[hexByteColumn(i)] = QLatin1Char(Digits[byte >> 4]);
        hexPart[hexByteColumn(i) + 1] = QLatin1Char(Digits[byte & 0xf]);
        asciiPart[i] = QLatin1Char(MessageFormat::asciiColumnChar(static_cast<char>(byte)));
    }
    // The hex column is padded on a short last line so that the ASCII column stays aligned.
    text += hexPart + QString(GapColumns, u' ') + asciiPart;
    return text;
}

void HexView::setCursorPosition(qint64 pos, bool extendSelection)
{
    moveCursorTo(pos, extendSelection);
}

void HexView::setSelection(qint64 start, qint64 length)
{
    start = std::clamp<qint64>(start, 0, m_data.size());
    const auto end = std::clamp<qint64>(start + std::max<qint64>(0, length), start, m_data.size());
    m_anchor = start;
    m_cursor = end;
    viewport()->update();
    Q_EMIT cursorPositionChanged(m_cursor);
    Q_EMIT selectionChanged();
}

QByteArray HexView::selectedBytes() const
{
    return m_data.mid(selectionStart(), selectionLength());
}

bool HexView::goToOffset(qint64 offset)
{
    if (offset < 0 || offset >= m_data.size())
        return false;
    m_anchor = offset;
    m_cursor = offset;
    const auto line = offset / BytesPerLine;
    if (line < m_topLine || line >= m_topLine + visibleLineCount())
        scrollToLine(line);
    viewport()->update();
    Q_EMIT cursorPositionChanged(m_cursor);
    Q_EMIT selectionChanged();
    return true;
}

zmqscope::Result<qint64> HexView::parseOffset(const QString &text, qint64 dataSize)
{
    const auto trimmed = text.trimmed();
    const auto fail = [](const QString &message) {
        return zmqscope::Error(zmqscope::ErrorCode::InvalidOptionValue, message);
    };
    if (trimmed.isEmpty())
        return fail(tr("Enter an offset, for example 4096 or 0x1000."));
    bool ok = false;
    qint64 offset = 0;
    if (trimmed.startsWith(u"0x"_s, Qt::CaseInsensitive)) {
        const auto digits = trimmed.mid(2);
        // toLongLong() would also take a sign or blanks after the prefix; an offset has neither.
        const bool plainDigits = !digits.isEmpty()
            && std::all_of(digits.cbegin(), digits.cend(),
                [](QChar c) { return c.isDigit() || (c.toLower() >= u'a' && c.toLower() <= u'f'); });
        if (plainDigits)
            offset = digits.toLongLong(&ok, 16);
    } else {
        const bool plainDigits
            = std::all_of(trimmed.cbegin(), trimmed.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
        if (plainDigits)
            offset = trimmed.toLongLong(&ok, 10);
    }
    if (!ok)
        return fail(
            tr("“%1” is not an offset: type decimal (4096) or hexadecimal with 0x (0x1000).").arg(trimmed));
    if (dataSize <= 0)
        return fail(tr("There are no bytes to go to."));
    if (offset >= dataSize) {
        return fail(tr("Offset %1 is past the end: the data has %2 bytes (offsets 0 to %3).")
                        .arg(trimmed, QLocale().toString(dataSize), hexOffset(dataSize - 1)));
    }
    return offset;
}

void HexView::setExtraContextMenuActions(const QList<QAction *> &actions)
{
    m_extraActions = actions;
}

void HexView::selectAll()
{
    setSelection(0, m_data.size());
}

void HexView::clearSelection()
{
    if (!hasSelection())
        return;
    m_anchor = m_cursor;
    viewport()->update();
    Q_EMIT selectionChanged();
}

bool HexView::refuseCopy()
{
    if (!hasSelection()) {
        Q_EMIT copyRefused(tr("Nothing copied: no bytes are selected."));
        return true;
    }
    if (selectionLength() > MessageFormat::ClipboardLimit) {
        Q_EMIT copyRefused(
            tr("Nothing copied: the selection is %1; the clipboard limit is %2.")
                .arg(QLocale().formattedDataSize(selectionLength(), 1, QLocale::DataSizeIecFormat),
                    QLocale().formattedDataSize(
                        MessageFormat::ClipboardLimit, 0, QLocale::DataSizeIecFormat)));
        return true;
    }
    return false;
}

bool HexView::copySelectionAsHex()
{
    if (refuseCopy())
        return false;
    QGuiApplication::clipboard()->setText(MessageFormat::hex(selectedBytes()));
    Q_EMIT copied(tr("Copied %1 as hex.").arg(MessageFormat::byteCount(selectionLength())));
    return true;
}

bool HexView::copySelectionAsText()
{
    if (refuseCopy())
        return false;
    QGuiApplication::clipboard()->setText(MessageFormat::copyableText(selectedBytes()));
    Q_EMIT copied(tr("Copied %1 as text.").arg(MessageFormat::byteCount(selectionLength())));
    return true;
}

void HexView::showGoToOffsetDialog()
{
    if (m_goToDialog) {
        m_goToDialog->raise();
        m_goToDialog->activateWindow();
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setObjectName(u"goToOffsetDialog"_s);
    dialog->setWindowTitle(tr("Go to Offset"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);

    auto *layout = new QVBoxLayout(dialog);
    auto *prompt = new QLabel(tr("Offset, decimal or hexadecimal with 0x:"), dialog);
    prompt->setTextFormat(Qt::PlainText);
    auto *edit = new QLineEdit(dialog);
    edit->setObjectName(u"offsetEdit"_s);
    edit->setPlaceholderText(tr("4096 or 0x1000"));
    edit->setText(hexOffset(m_cursor));
    edit->selectAll();
    prompt->setBuddy(edit);
    auto *range = new QLabel(dialog);
    range->setTextFormat(Qt::PlainText);
    range->setForegroundRole(QPalette::PlaceholderText);
    range->setText(m_data.isEmpty()
            ? tr("There are no bytes.")
            : tr("Offsets 0 to %1 (%2 bytes).")
                  .arg(hexOffset(m_data.size() - 1), QLocale().toString(m_data.size())));
    QLabel *errorLabel = InlineMessage::createErrorLabel(dialog);
    errorLabel->setObjectName(u"offsetError"_s);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Go"));
    buttons->button(QDialogButtonBox::Ok)->setDefault(true);
    layout->addWidget(prompt);
    layout->addWidget(edit);
    layout->addWidget(range);
    layout->addWidget(errorLabel);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, edit, errorLabel] {
        const zmqscope::Result<qint64> offset = parseOffset(edit->text(), m_data.size());
        if (!offset) {
            // Stay open with the reason, so the user can correct what they typed.
            InlineMessage::show(errorLabel, offset.errorMessage());
            edit->setFocus();
            edit->selectAll();
            return;
        }
        goToOffset(*offset);
        dialog->accept();
        setFocus();
    });
    connect(edit, &QLineEdit::textEdited, errorLabel, &QLabel::hide);

    m_goToDialog = dialog;
    dialog->setMinimumWidth(360);
    dialog->open();
    edit->setFocus();
}

bool HexView::event(QEvent *event)
{
    // Keep our keys when a window-wide action (a main window's Copy, say) has the same shortcut.
    if (event->type() == QEvent::ShortcutOverride) {
        auto *keyEvent = static_cast<QKeyEvent *>(event);
        bool ours = keyEvent->matches(QKeySequence::Copy) || keyEvent->matches(QKeySequence::SelectAll)
            || isCopyAsText(keyEvent) || isGoToOffset(keyEvent);
        for (const auto &movement : Movements)
            ours = ours || keyEvent->matches(movement.move) || keyEvent->matches(movement.select);
        if (ours) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

void HexView::updateMetrics()
{
    const QFontMetrics metrics(font());
    // Every character is drawn in a cell of its own: the cell must hold the widest one, or a font that is
    // not quite monospaced (a fallback, or fractional advances) pushes the ASCII column past its end.
    const QFontMetricsF exact(font());
    qreal widest = 1;
    for (char16_t c = 0x20; c < 0x7f; ++c)
        widest = std::max(widest, exact.horizontalAdvance(QChar(c)));
    m_charWidth = std::max(1, int(std::ceil(widest)));
    m_lineHeight = std::max(1, metrics.lineSpacing());
    m_ascent = metrics.ascent();
}

void HexView::updateScrollBars()
{
    const auto maxTop = maxTopLine();
    auto *vertical = verticalScrollBar();
    vertical->setRange(0, static_cast<int>(std::min(maxTop, MaxScrollValue)));
    vertical->setSingleStep(1);
    vertical->setPageStep(maxTop <= MaxScrollValue ? visibleLineCount() : 1);
    m_topLine = std::min(m_topLine, maxTop);

    auto *horizontal = horizontalScrollBar();
    horizontal->setRange(0, std::max(0, contentWidth() - viewport()->width()));
    horizontal->setPageStep(viewport()->width());
    horizontal->setSingleStep(m_charWidth);
}

int HexView::contentWidth() const
{
    // A margin of one cell on each side.
    const int columns = offsetDigits() + GapColumns + HexColumnsWidth + GapColumns + BytesPerLine;
    return (columns + 2) * m_charWidth;
}

QSize HexView::sizeHint() const
{
    // The columns, the frame and a vertical scroll bar.
    const int scrollBar = style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this);
    return { contentWidth() + 2 * frameWidth() + scrollBar, QAbstractScrollArea::sizeHint().height() };
}

void HexView::scrollContentsBy(int dx, int dy)
{
    Q_UNUSED(dx)
    if (dy != 0)
        m_topLine = fromScrollValue(verticalScrollBar()->value());
    viewport()->update();
}

qint64 HexView::cursorLine() const
{
    // The end position after a full last line is drawn at the end of that line, not on a new one.
    if (m_cursor == m_data.size() && m_cursor > 0)
        return (m_cursor - 1) / BytesPerLine;
    return m_cursor / BytesPerLine;
}

void HexView::ensureCursorVisible()
{
    const auto line = cursorLine();
    if (line < m_topLine)
        scrollToLine(line);
    else if (line >= m_topLine + visibleLineCount())
        scrollToLine(line - visibleLineCount() + 1);
}

void HexView::moveCursorTo(qint64 pos, bool extendSelection)
{
    pos = std::clamp<qint64>(pos, 0, m_data.size());
    const bool hadSelection = hasSelection();
    m_cursor = pos;
    if (!extendSelection)
        m_anchor = pos;
    ensureCursorVisible();
    viewport()->update();
    Q_EMIT cursorPositionChanged(m_cursor);
    if (hadSelection || hasSelection())
        Q_EMIT selectionChanged();
}

void HexView::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event)
    QPainter painter(viewport());
    painter.setFont(font());
    const auto &pal = palette();
    const int height = viewport()->height();

    if (m_data.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(viewport()->rect(), Qt::AlignCenter, tr("No bytes"));
        return;
    }

    const int digits = offsetDigits();
    const int x0 = m_charWidth - horizontalScrollBar()->value();
    const int hexX = x0 + (digits + GapColumns) * m_charWidth;
    const int asciiX = hexX + (HexColumnsWidth + GapColumns) * m_charWidth;
    auto hexByteX = [&](int i) { return hexX + hexByteColumn(i) * m_charWidth; };

    // A shaded offset gutter and a rule before the ASCII column keep the three columns apart.
    const int gutterRight = x0 + digits * m_charWidth + m_charWidth;
    painter.fillRect(QRect(0, 0, std::max(0, gutterRight), height), pal.color(QPalette::AlternateBase));
    painter.setPen(pal.color(QPalette::Midlight));
    painter.drawLine(gutterRight, 0, gutterRight, height);
    const int ruleX = asciiX - m_charWidth;
    painter.drawLine(ruleX, 0, ruleX, height);

    const QColor textColor = pal.color(QPalette::Text);
    const QColor dimColor = pal.color(QPalette::PlaceholderText);
    const QColor offsetColor = pal.color(QPalette::PlaceholderText);
    const QColor selectedText = pal.color(QPalette::HighlightedText);
    const QColor selectionBackground
        = pal.color(hasFocus() ? QPalette::Active : QPalette::Inactive, QPalette::Highlight);
    const auto selStart = selectionStart();
    const auto selEnd = selStart + selectionLength();

    const auto last = lastVisibleLine();
    static constexpr char Digits[] = "0123456789abcdef";
    for (qint64 line = m_topLine; line <= last; ++line) {
        const int y = static_cast<int>(line - m_topLine) * m_lineHeight;
        const int baseline = y + m_ascent;
        const qint64 start = line * BytesPerLine;
        const int count = static_cast<int>(std::min<qint64>(BytesPerLine, m_data.size() - start));

        painter.setPen(offsetColor);
        painter.drawText(x0, baseline, QString::number(start, 16).rightJustified(digits, u'0'));

        // Selection runs: one rectangle in each column for the selected part of this line.
        const auto runStart = std::max(selStart, start);
        const auto runEnd = std::min(selEnd, start + count);
        if (runStart < runEnd) {
            const int a = static_cast<int>(runStart - start);
            const int b = static_cast<int>(runEnd - start) - 1;
            painter.fillRect(QRect(hexByteX(a), y, hexByteX(b) + 2 * m_charWidth - hexByteX(a), m_lineHeight),
                selectionBackground);
            painter.fillRect(QRect(asciiX + a * m_charWidth, y, (b - a + 1) * m_charWidth, m_lineHeight),
                selectionBackground);
        }

        for (int i = 0; i < count; ++i) {
            const auto byte = static_cast<unsigned char>(m_data[start + i]);
            const bool selected = start + i >= selStart && start + i < selEnd;
            const char pair[2] = { Digits[byte >> 4], Digits[byte & 0xf] };
            painter.setPen(selected ? selectedText : (byte == 0 ? dimColor : textColor));
            painter.drawText(hexByteX(i), baseline, QString::fromLatin1(pair, 2));
            const char ascii = MessageFormat::asciiColumnChar(static_cast<char>(byte));
            const bool printable = ascii != '.' || byte == '.';
            painter.setPen(selected ? selectedText : (printable ? textColor : dimColor));
            painter.drawText(asciiX + i * m_charWidth, baseline, QString(QLatin1Char(ascii)));
        }
    }

    // The cursor: a bar before the byte it stands in front of, in both columns.
    if (hasFocus()) {
        const auto line = cursorLine();
        if (line >= m_topLine && line <= last) {
            const int column = static_cast<int>(m_cursor - line * BytesPerLine);
            const int y = static_cast<int>(line - m_topLine) * m_lineHeight;
            const int hexCaretX = column < BytesPerLine ? hexByteX(column) - 1
                                                        : hexByteX(BytesPerLine - 1) + 2 * m_charWidth + 1;
            painter.fillRect(QRect(hexCaretX, y, 2, m_lineHeight), textColor);
            painter.fillRect(QRect(asciiX + column * m_charWidth - 1, y, 2, m_lineHeight), textColor);
        }
    }
}

void HexView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
    verticalScrollBar()->setValue(toScrollValue(m_topLine));
}

qint64 HexView::positionAt(const QPoint &viewportPos) const
{
    if (m_data.isEmpty())
        return 0;
    const qint64 line = m_topLine + (viewportPos.y() < 0 ? -1 : viewportPos.y() / m_lineHeight);
    if (line < 0)
        return 0;
    if (line >= lineCount())
        return m_data.size();

    const int digits = offsetDigits();
    // In characters from the start of the hex column; positions round to the nearest byte boundary.
    const double x = double(viewportPos.x() + horizontalScrollBar()->value() - m_charWidth) / m_charWidth
        - (digits + GapColumns);
    const double asciiStart = HexColumnsWidth + GapColumns;
    int boundary = 0;
    if (x >= asciiStart - 1.0) {
        boundary = std::clamp(int(std::lround(x - asciiStart)), 0, BytesPerLine);
    } else {
        double best = std::numeric_limits<double>::max();
        for (int k = 0; k <= BytesPerLine; ++k) {
            // The middle of the blank before byte k (or after the last byte).
            const double gap = k == BytesPerLine ? hexByteColumn(k - 1) + 2.5 : hexByteColumn(k) - 0.5;
            if (std::abs(x - gap) < best) {
                best = std::abs(x - gap);
                boundary = k;
            }
        }
    }
    return std::min<qint64>(line * BytesPerLine + boundary, m_data.size());
}

void HexView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    setFocus(Qt::MouseFocusReason);
    m_dragging = true;
    moveCursorTo(positionAt(event->position().toPoint()), event->modifiers().testFlag(Qt::ShiftModifier));
}

void HexView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging || !(event->buttons() & Qt::LeftButton))
        return;
    const auto pos = event->position().toPoint();
    // Dragging past the top or bottom edge scrolls a line per move.
    if (pos.y() < 0)
        scrollToLine(m_topLine - 1);
    else if (pos.y() >= viewport()->height())
        scrollToLine(m_topLine + 1);
    moveCursorTo(positionAt(pos), true);
}

void HexView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mouseReleaseEvent(event);
        return;
    }
    m_dragging = false;
    event->accept();
}

void HexView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelectionAsHex();
        return;
    }
    if (isCopyAsText(event)) {
        copySelectionAsText();
        return;
    }
    if (event->matches(QKeySequence::SelectAll)) {
        selectAll();
        return;
    }
    if (isGoToOffset(event)) {
        showGoToOffsetDialog();
        return;
    }
    const qint64 lineStart = cursorLine() * BytesPerLine;
    const qint64 page = qint64 { visibleLineCount() } * BytesPerLine;
    for (const auto &movement : Movements) {
        const bool select = event->matches(movement.select);
        if (!select && !event->matches(movement.move))
            continue;
        qint64 target = m_cursor;
        switch (movement.move) {
        case QKeySequence::MoveToNextChar:
            target = m_cursor + 1;
            break;
        case QKeySequence::MoveToPreviousChar:
            target = m_cursor - 1;
            break;
        case QKeySequence::MoveToNextLine:
            target = m_cursor + BytesPerLine;
            break;
        case QKeySequence::MoveToPreviousLine:
            target = m_cursor - BytesPerLine;
            break;
        case QKeySequence::MoveToNextPage:
            target = m_cursor + page;
            scrollToLine(m_topLine + visibleLineCount());
            break;
        case QKeySequence::MoveToPreviousPage:
            target = m_cursor - page;
            scrollToLine(m_topLine - visibleLineCount());
            break;
        case QKeySequence::MoveToStartOfLine:
            target = lineStart;
            break;
        case QKeySequence::MoveToEndOfLine:
            target = lineStart + BytesPerLine;
            break;
        case QKeySequence::MoveToStartOfDocument:
            target = 0;
            break;
        case QKeySequence::MoveToEndOfDocument:
            target = m_data.size();
            break;
        default:
            break;
        }
        moveCursorTo(target, select);
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

void HexView::contextMenuEvent(QContextMenuEvent *event)
{
    m_copyHexAction->setEnabled(hasSelection());
    m_copyTextAction->setEnabled(hasSelection());
    m_selectAllAction->setEnabled(!m_data.isEmpty());
    m_goToAction->setEnabled(!m_data.isEmpty());
    QMenu menu(this);
    menu.addAction(m_copyHexAction);
    menu.addAction(m_copyTextAction);
    menu.addSeparator();
    menu.addAction(m_selectAllAction);
    menu.addAction(m_goToAction);
    if (!m_extraActions.isEmpty()) {
        menu.addSeparator();
        menu.addActions(m_extraActions);
    }
    menu.exec(event->globalPos());
}

void HexView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateMetrics();
        updateScrollBars();
        updateGeometry();
        viewport()->update();
    }
}

void HexView::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    viewport()->update();
}

void HexView::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    viewport()->update();
}

} // namespace zmqscope

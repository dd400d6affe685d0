#pragma once

#include <algorithm>
#include <optional>

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QPointer>

#include <zmqscope/error.h>

class QAction;
class QDialog;

namespace zmqscope {

/**
 * A virtual, read-only hex + ASCII view of one byte array.
 *
 * Each line shows an offset, 16 bytes in hex and the same bytes as ASCII
 * (non-printable bytes as '.'). Only the visible lines are formatted and
 * painted, so a 64 MiB body opens as fast as a small one; the data is held
 * by implicit sharing, never copied.
 *
 * The cursor sits between bytes (0..size); a selection is the half-open
 * range between the anchor and the cursor. Mouse drag and Shift+keys
 * select, Ctrl+A selects all, Ctrl+C copies the selection as hex,
 * Ctrl+Shift+C as text, Ctrl+G asks for an offset to go to.
 */
class HexView : public QAbstractScrollArea
{
    Q_OBJECT

public:
    static constexpr int BytesPerLine = 16;

    explicit HexView(QWidget *parent = nullptr);
    ~HexView() override;

    /// Shows data from its start; clears the cursor and the selection.
    void setData(const QByteArray &data);
    [[nodiscard]] const QByteArray &data() const noexcept { return m_data; }

    /// Lines of the whole data (0 for no data).
    [[nodiscard]] qint64 lineCount() const;
    /// The line at the top of the viewport.
    [[nodiscard]] qint64 firstVisibleLine() const noexcept { return m_topLine; }
    /// The last line that is at least partly visible, or -1 without data.
    [[nodiscard]] qint64 lastVisibleLine() const;
    /// How many whole lines fit into the viewport (at least 1).
    [[nodiscard]] int visibleLineCount() const;
    /// Scrolls so that line is the first visible one, as far as the end allows.
    void scrollToLine(qint64 line);

    /**
     * The text of one line exactly as it is painted: offset, two spaces, the
     * hex pairs (an extra space after the 8th), two spaces, the ASCII column.
     */
    [[nodiscard]] QString lineText(qint64 line) const;

    /// The width of one character cell: the widest hex digit or printable ASCII character of the font.
    [[nodiscard]] int charWidth() const noexcept { return m_charWidth; }
    /// The width the offset, hex and ASCII columns take, with their margins, from the font's metrics.
    [[nodiscard]] int contentWidth() const;
    /// Wide enough for every column without scrolling sideways.
    [[nodiscard]] QSize sizeHint() const override;

    [[nodiscard]] qint64 cursorPosition() const noexcept { return m_cursor; }
    /// Moves the cursor to pos (clamped to 0..size); with extendSelection the selection grows from the
    /// anchor.
    void setCursorPosition(qint64 pos, bool extendSelection = false);
    [[nodiscard]] bool hasSelection() const noexcept { return m_anchor != m_cursor; }
    [[nodiscard]] qint64 selectionStart() const noexcept { return std::min(m_anchor, m_cursor); }
    [[nodiscard]] qint64 selectionLength() const noexcept
    {
        return std::max(m_anchor, m_cursor) - selectionStart();
    }
    /// Selects length bytes from start (clamped to the data); the cursor ends after them.
    void setSelection(qint64 start, qint64 length);
    [[nodiscard]] QByteArray selectedBytes() const;

    /// Moves the cursor to offset and scrolls it into view; false (nothing changes) when out of range.
    bool goToOffset(qint64 offset);

    /**
     * Parses what a user typed as an offset into data of dataSize bytes:
     * decimal ("4096") or hex with 0x ("0x1000"). Fails with InvalidOptionValue
     * (the value is of the wrong kind or out of range) and one line that names the bad value.
     */
    [[nodiscard]] static zmqscope::Result<qint64> parseOffset(const QString &text, qint64 dataSize);

    /// Actions appended to the context menu after the view's own (the Detail pane's body copies).
    void setExtraContextMenuActions(const QList<QAction *> &actions);

public Q_SLOTS:
    void selectAll();
    void clearSelection();
    /// Puts the selection on the clipboard as "de ad be ef"; false when nothing was copied.
    bool copySelectionAsHex();
    /// Puts the selection on the clipboard decoded as UTF-8; false when nothing was copied.
    bool copySelectionAsText();
    /// Opens the non-blocking "Go to offset" dialog (Ctrl+G).
    void showGoToOffsetDialog();

Q_SIGNALS:
    void cursorPositionChanged(qint64 position);
    void selectionChanged();
    /// Something went to the clipboard; description says what, for a status line.
    void copied(const QString &description);
    /// A copy was refused (nothing selected, or too large); reason says why.
    void copyRefused(const QString &reason);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void changeEvent(QEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;

private:
    void updateMetrics();
    void updateScrollBars();
    void ensureCursorVisible();
    void moveCursorTo(qint64 pos, bool extendSelection);
    [[nodiscard]] qint64 maxTopLine() const;
    [[nodiscard]] int toScrollValue(qint64 line) const;
    [[nodiscard]] qint64 fromScrollValue(int value) const;
    [[nodiscard]] qint64 cursorLine() const;
    [[nodiscard]] int offsetDigits() const;
    [[nodiscard]] qint64 positionAt(const QPoint &viewportPos) const;
    [[nodiscard]] bool refuseCopy();

    QByteArray m_data;
    qint64 m_topLine = 0;
    qint64 m_cursor = 0;
    qint64 m_anchor = 0;
    bool m_dragging = false;
    int m_charWidth = 8;
    int m_lineHeight = 16;
    int m_ascent = 12;
    QAction *m_copyHexAction = nullptr;
    QAction *m_copyTextAction = nullptr;
    QAction *m_selectAllAction = nullptr;
    QAction *m_goToAction = nullptr;
    QList<QAction *> m_extraActions;
    QPointer<QDialog> m_goToDialog;
};

} // namespace zmqscope

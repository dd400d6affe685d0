#pragma once

#include <QTimer>
#include <QWidget>

#include <zmqscope/engine/engine.h>

#include "messagefilter.h"

class QComboBox;
class QLabel;
class QLineEdit;

namespace zmqscope {

/**
 * The bar above the Messages table: free text (id, mimetype, body), socket
 * and direction. Typing is debounced so a filter is computed once per pause
 * in typing, not per key.
 */
class FilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit FilterBar(QWidget *parent = nullptr);

    [[nodiscard]] MessageFilter filter() const;
    /// Offers these sockets in the socket box, keeping the current choice when it is still there.
    void setSockets(const QList<SocketInfo> &sockets);
    /// Chooses a socket (0 for all) and applies the filter at once.
    void setSocket(SocketId socket);
    /// Chooses the direction item for `directions` (0: every direction) and applies the filter at once.
    void setDirections(MessageFilter::Directions directions);
    /// Shows or hides "filtering..." while the worker catches up.
    void setScanning(bool scanning);
    /// Focuses the text field and selects its contents.
    void focusText();

    [[nodiscard]] QLineEdit *textEdit() const { return m_text; }
    [[nodiscard]] QComboBox *socketBox() const { return m_socket; }
    [[nodiscard]] QComboBox *directionBox() const { return m_direction; }

Q_SIGNALS:
    void filterChanged(const zmqscope::MessageFilter &filter);

private:
    void emitFilter();

    QLineEdit *m_text = nullptr;
    QComboBox *m_socket = nullptr;
    QComboBox *m_direction = nullptr;
    QLabel *m_scanning = nullptr;
    QTimer m_debounce;
};

} // namespace zmqscope

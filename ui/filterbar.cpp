#include "filterbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
constexpr int DebounceMs = 200;
}

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
{
    m_text = new QLineEdit(this);
    m_text->setObjectName(u"filterText"_s);
    m_text->setPlaceholderText(u"Filter by id, mimetype or body text (Ctrl+F)"_s);
    m_text->setClearButtonEnabled(true);
    m_text->setToolTip(u"Searches every frame: the id, the mimetype, the whole body and the routing frames "
                       u"(every frame of a raw message). Case-insensitive for ASCII letters."_s);

    m_socket = new QComboBox(this);
    m_socket->setObjectName(u"filterSocket"_s);
    m_socket->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_socket->setMinimumContentsLength(12);
    m_socket->addItem(u"All sockets"_s, 0u);

    m_direction = new QComboBox(this);
    m_direction->setObjectName(u"filterDirection"_s);
    m_direction->addItem(u"In and out"_s, -1);
    m_direction->addItem(u"In only"_s, int(Direction::In));
    m_direction->addItem(u"Out only"_s, int(Direction::Out));

    m_scanning = new QLabel(u"filtering\u2026"_s, this);
    m_scanning->setTextFormat(Qt::PlainText);
    m_scanning->setVisible(false);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_socket);
    layout->addWidget(m_direction);
    layout->addWidget(m_scanning);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &FilterBar::emitFilter);
    connect(m_text, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    // Enter applies at once; the debounce is only there for typing.
    connect(m_text, &QLineEdit::returnPressed, this, &FilterBar::emitFilter);
    connect(m_socket, &QComboBox::currentIndexChanged, this, &FilterBar::emitFilter);
    connect(m_direction, &QComboBox::currentIndexChanged, this, &FilterBar::emitFilter);
}

MessageFilter FilterBar::filter() const
{
    MessageFilter filter;
    filter.setText(m_text->text());
    filter.setSocket(SocketId(m_socket->currentData().toUInt()));
    const int direction = m_direction->currentData().toInt();
    if (direction >= 0)
        filter.setDirection(Direction(direction));
    return filter;
}

void FilterBar::emitFilter()
{
    m_debounce.stop();
    Q_EMIT filterChanged(filter());
}

void FilterBar::setSockets(const QList<SocketInfo> &sockets)
{
    const uint current = m_socket->currentData().toUInt();
    const QSignalBlocker blocker(m_socket);
    while (m_socket->count() > 1)
        m_socket->removeItem(1);
    int currentIndex = 0;
    for (const SocketInfo &info : sockets) {
        m_socket->addItem(info.spec.name, uint(info.id));
        if (info.id == current)
            currentIndex = m_socket->count() - 1;
    }
    m_socket->setCurrentIndex(currentIndex);
    // The chosen socket went away: the filter widened to all sockets, say so.
    if (current != 0 && currentIndex == 0)
        emitFilter();
}

void FilterBar::setSocket(SocketId socket)
{
    const int index = m_socket->findData(uint(socket));
    m_socket->setCurrentIndex(index < 0 ? 0 : index);
}

void FilterBar::setScanning(bool scanning)
{
    m_scanning->setVisible(scanning);
}

void FilterBar::focusText()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

} // namespace zmqscope

#include "filterbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

#include "directionicons.h"

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
    m_text->setPlaceholderText(u"Filter by id, mimetype, body text or peer (Ctrl+F)"_s);
    m_text->setClearButtonEnabled(true);
    m_text->setToolTip(u"Searches every frame: the id, the mimetype, the whole body and the routing frames "
                       u"(every frame of a raw message), and a tap's peer as hex. Case-insensitive for ASCII "
                       u"letters."_s);

    m_socket = new QComboBox(this);
    m_socket->setObjectName(u"filterSocket"_s);
    m_socket->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_socket->setMinimumContentsLength(12);
    m_socket->addItem(u"All sockets"_s, 0u);

    m_direction = new QComboBox(this);
    m_direction->setObjectName(u"filterDirection"_s);
    // Each item holds its MessageFilter::Directions; 0 lets every direction through.
    m_direction->addItem(u"All directions"_s, 0U);
    const auto addDirection = [this](const QString &text, Direction direction) {
        m_direction->addItem(
            directionicons::icon(direction), text, uint(MessageFilter::directionBit(direction)));
    };
    addDirection(u"In only"_s, Direction::In);
    addDirection(u"Out only"_s, Direction::Out);
    addDirection(u"c2s only (client \u2192 server)"_s, Direction::ClientToServer);
    addDirection(u"s2c only (server \u2192 client)"_s, Direction::ServerToClient);
    m_direction->addItem(u"Tap both ways (c2s and s2c)"_s, uint(MessageFilter::TapDirections));
    m_direction->setToolTip(u"in/out: messages ZmqScope's own sockets received or sent; c2s/s2c: messages a "
                            u"tap forwarded from its clients to the server or back"_s);

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
    filter.setDirections(MessageFilter::Directions(m_direction->currentData().toUInt()));
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

void FilterBar::setDirections(MessageFilter::Directions directions)
{
    const int index = m_direction->findData(uint(directions));
    m_direction->setCurrentIndex(index < 0 ? 0 : index);
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

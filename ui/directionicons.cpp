#include "directionicons.h"

#include <array>
#include <cmath>

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace zmqscope::directionicons {

namespace {

constexpr std::array<int, 4> IconSizes { 16, 20, 24, 32 };

// The arrow of an icon, on a 16-unit grid: in and out go down into or up out of a tray; c2s and s2c go
// between a client (a dot on the left) and a server (a bar on the right).
void drawArrow(QPainter &painter, Direction direction)
{
    const QColor ink = color(direction);
    painter.setPen(QPen(ink, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    // A shaft from `from` to the filled head whose tip is `to`, along one axis.
    const auto arrow = [&painter, &ink](QPointF from, QPointF to) {
        const QPointF line = to - from;
        const double length = std::abs(line.x()) + std::abs(line.y());
        const QPointF unit = line / length;
        const QPointF side(-unit.y() * 3.5, unit.x() * 3.5);
        painter.drawLine(from, to - unit * 3.0);
        QPainterPath head;
        head.moveTo(to);
        head.lineTo(to - unit * 4.5 + side);
        head.lineTo(to - unit * 4.5 - side);
        head.closeSubpath();
        painter.fillPath(head, ink);
    };
    if (!isConversation(direction)) {
        if (direction == Direction::In)
            arrow({ 8, 1.5 }, { 8, 11 });
        else
            arrow({ 8, 11 }, { 8, 1.5 });
        painter.drawPolyline(QList<QPointF> { { 2, 10 }, { 2, 14.5 }, { 14, 14.5 }, { 14, 10 } });
        return;
    }
    // The dot and the bar stay clear of the arrow's tip, so the two read apart even at 16 px.
    painter.setBrush(ink);
    painter.drawEllipse(QPointF(2.25, 8), 1.5, 1.5);
    painter.setBrush(Qt::NoBrush);
    painter.drawLine(QPointF(15, 3), QPointF(15, 13));
    if (direction == Direction::ClientToServer)
        arrow({ 5.5, 8 }, { 12.5, 8 });
    else
        arrow({ 12.5, 8 }, { 6.25, 8 });
}

QIcon makeIcon(Direction direction)
{
    QIcon icon;
    for (const int size : IconSizes) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.scale(size / 16.0, size / 16.0);
        drawArrow(painter, direction);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace

QColor color(Direction direction)
{
    switch (direction) {
    case Direction::In:
        return { 0x2e, 0x8b, 0x57 };
    case Direction::Out:
        return { 0x2f, 0x7f, 0xd0 };
    case Direction::ClientToServer:
        return { 0x8e, 0x44, 0xad };
    case Direction::ServerToClient:
        return { 0xc0, 0x5a, 0x1e };
    }
    return {};
}

QIcon icon(Direction direction)
{
    // Drawn once per direction, in the GUI thread (QPixmap), on first use.
    static const std::array<QIcon, 4> icons { makeIcon(Direction::In), makeIcon(Direction::Out),
        makeIcon(Direction::ClientToServer), makeIcon(Direction::ServerToClient) };
    return icons.at(std::size_t(direction));
}

QString words(Direction direction)
{
    switch (direction) {
    case Direction::In:
        return u"received"_s;
    case Direction::Out:
        return u"sent"_s;
    case Direction::ClientToServer:
        return u"client \u2192 server"_s;
    case Direction::ServerToClient:
        return u"server \u2192 client"_s;
    }
    return {};
}

QString description(Direction direction)
{
    const QString name = QString::fromLatin1(directionName(direction));
    return isConversation(direction) ? u"%1: %2"_s.arg(name, words(direction))
                                     : u"%1 (%2)"_s.arg(name, words(direction));
}

} // namespace zmqscope::directionicons

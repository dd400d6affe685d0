#pragma once

// The socket naming contract: one table, applied to every part that names sockets: the rule
// itself and Engine::openSocket() in tests/engine/tst_enginerules.cpp, the socket dialog's
// default name in tests/ui/compose/tst_dialogrules.cpp. Before it the engine named an unnamed
// socket after its id ("SUB 7") while the main window and the dialog took the first free number.

#include <QStringList>
#include <QTest>

#include <zmqscope/names.h>

namespace contracts {

/// Columns: wanted (QString), type (SocketType), taken (QStringList: other sockets' names), expected
/// (QString).
inline void nameCases()
{
    using namespace Qt::StringLiterals;
    using zmqscope::SocketType;
    QTest::addColumn<QString>("wanted");
    QTest::addColumn<SocketType>("type");
    QTest::addColumn<QStringList>("taken");
    QTest::addColumn<QString>("expected");

    QTest::newRow("first unnamed") << QString() << SocketType::Sub << QStringList() << u"SUB 1"_s;
    QTest::newRow("unnamed after two")
        << QString() << SocketType::Sub << QStringList { u"SUB 1"_s, u"SUB 2"_s } << u"SUB 3"_s;
    QTest::newRow("unnamed fills the gap")
        << QString() << SocketType::Sub << QStringList { u"SUB 2"_s } << u"SUB 1"_s;
    QTest::newRow("other types do not count")
        << QString() << SocketType::Pub << QStringList { u"SUB 1"_s, u"PULL 1"_s } << u"PUB 1"_s;
    QTest::newRow("blank is unnamed") << u"   "_s << SocketType::Dealer << QStringList() << u"DEALER 1"_s;
    QTest::newRow("free name kept") << u"feed"_s << SocketType::Sub << QStringList { u"SUB 1"_s }
                                    << u"feed"_s;
    QTest::newRow("name trimmed") << u"  feed "_s << SocketType::Sub << QStringList() << u"feed"_s;
    QTest::newRow("taken name numbered")
        << u"feed"_s << SocketType::Sub << QStringList { u"feed"_s } << u"feed (2)"_s;
    QTest::newRow("next free number")
        << u"feed"_s << SocketType::Sub << QStringList { u"feed"_s, u"feed (2)"_s } << u"feed (3)"_s;
}

} // namespace contracts

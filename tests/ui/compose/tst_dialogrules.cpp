// The endpoint contract (tests/contracts/endpointcases.h) applied to the socket dialog: what it
// lets through, Socket and the engine take; what it refuses, it refuses naming the same bad part.

#include <QTest>

#include <zmqscope/engine/engine.h>

#include "../../contracts/endpointcases.h"
#include "compose/newsocketdialog.h"

using namespace Qt::StringLiterals;
using zmqscope::EndpointRole;
using zmqscope::SocketType;

class TestEndpointCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void dialog_data() { contracts::endpointCases(); }
    void dialog();
};

void TestEndpointCheck::dialog()
{
    QFETCH(QString, endpoint);
    QFETCH(EndpointRole, role);
    QFETCH(SocketType, type);
    QFETCH(bool, accepted);
    QFETCH(QStringList, named);
    if (endpoint.trimmed() != endpoint || endpoint.isEmpty())
        QSKIP("the dialog trims what is typed, and an empty row is no endpoint: it asks for one instead");

    NewSocketDialog dialog;
    zmqscope::SocketSpec spec;
    spec.name = u"check"_s;
    spec.type = type;
    (role == EndpointRole::Bind ? spec.binds : spec.connects).append(endpoint);
    dialog.setSpec(spec);
    const QStringList problems = dialog.problems();
    if (accepted) {
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        return;
    }
    QCOMPARE(problems.size(), 1);
    const QString &problem = problems.constFirst();
    QVERIFY2(problem.startsWith(u"Endpoint 1: "_s), qPrintable(problem));
    QVERIFY2(!problem.contains(u'\n'), qPrintable(problem));
    named << u"\"%1\""_s.arg(endpoint);
    for (const QString &part : std::as_const(named))
        QVERIFY2(problem.contains(part), qPrintable(u"\"%1\" is not named in: %2"_s.arg(part, problem)));
}

QTEST_MAIN(TestEndpointCheck)
#include "tst_endpointcheck.moc"

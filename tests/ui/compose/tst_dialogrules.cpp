// The contracts of the rules written once (tests/contracts/) applied to the socket dialog: the
// endpoints it lets through, Socket and the engine take, and what it refuses it refuses naming
// the same bad part; its default name is the one the engine would give; the option values it
// shows for "not set" are the engine's defaults.

#include <QCheckBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>

#include <zmqscope/engine/engine.h>

#include "../../contracts/defaultcases.h"
#include "../../contracts/endpointcases.h"
#include "../../contracts/namecases.h"
#include "compose/newsocketdialog.h"

using namespace Qt::StringLiterals;
using zmqscope::EndpointRole;
using zmqscope::SocketType;

class TestDialogRules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void endpoints_data() { contracts::endpointCases(); }
    void endpoints();
    void defaultName_data() { contracts::nameCases(); }
    void defaultName();
    void defaults_data() { contracts::defaultCases(); }
    void defaults();
};

void TestDialogRules::endpoints()
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

void TestDialogRules::defaultName()
{
    QFETCH(QString, wanted);
    QFETCH(SocketType, type);
    QFETCH(QStringList, taken);
    QFETCH(QString, expected);
    if (!wanted.trimmed().isEmpty())
        QSKIP("the dialog proposes a name only for a socket without one; a taken name is a problem it shows");
    NewSocketDialog dialog;
    zmqscope::SocketSpec spec;
    spec.type = type;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    dialog.setSpec(spec);
    dialog.setExistingNames(taken);
    auto *name = dialog.findChild<QLineEdit *>(u"nameEdit"_s);
    QVERIFY(name);
    QCOMPARE(name->text(), expected);
}

void TestDialogRules::defaults()
{
    QFETCH(SocketType, type);
    QFETCH(zmqscope::SocketPurpose, purpose);
    QFETCH(QString, option);
    QFETCH(qint64, value);
    if (purpose != zmqscope::SocketPurpose::Inspector)
        QSKIP("the dialog opens sockets through the engine: only the engine's defaults apply");
    NewSocketDialog dialog;
    zmqscope::SocketSpec spec;
    spec.type = type;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    dialog.setSpec(spec);
    auto *check = dialog.findChild<QCheckBox *>(option + u"Check"_s);
    if (!check)
        QSKIP("the dialog has no field of its own for this option");
    QVERIFY(!check->isVisible() || check->isEnabled());
    if (auto *spin = dialog.findChild<QSpinBox *>(option + u"Spin"_s)) {
        QVERIFY(!check->isChecked()); // "not set": the spin shows what the socket gets
        QCOMPARE(qint64(spin->value()), value);
    } else {
        QCOMPARE(qint64(check->isChecked()), value); // a boolean option shows its default as its state
    }
}

QTEST_MAIN(TestDialogRules)
#include "tst_dialogrules.moc"

#include <QDir>
#include <QFile>
#include <QTest>

#include "fuzztargets.h"

using namespace Qt::StringLiterals;

namespace {

using Target = int (*)(const std::uint8_t *, std::size_t);

QString corpusDir(const QString &target)
{
    return QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/fuzz/corpus/") + target;
}

/// Each target's corpus directory name and function.
const QList<QPair<QString, Target>> &targets()
{
    static const QList<QPair<QString, Target>> all = {
        { u"capturereader"_s, &zmqscope::fuzz::captureReaderTarget },
        { u"envelope"_s, &zmqscope::fuzz::envelopeTarget },
        { u"tcppacket"_s, &zmqscope::fuzz::tcpPacketTarget },
        { u"zmtpdecoder"_s, &zmqscope::fuzz::zmtpDecoderTarget },
        { u"msgpack"_s, &zmqscope::fuzz::msgpackTarget },
        { u"cbor"_s, &zmqscope::fuzz::cborTarget },
    };
    return all;
}

} // namespace

/// Replays every file of the fuzz corpus (hand-made inputs, and found-* ones libFuzzer found) through the
/// same target functions the libFuzzer executables run, so the corpus is checked with any compiler; a broken
/// invariant aborts the test.
class TestFuzzCorpus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void corpusIsThere_data();
    void corpusIsThere();
    void replay_data();
    void replay();
};

void TestFuzzCorpus::corpusIsThere_data()
{
    QTest::addColumn<QString>("target");
    for (const auto &[name, function] : targets())
        QTest::newRow(qPrintable(name)) << name;
}

void TestFuzzCorpus::corpusIsThere()
{
    QFETCH(QString, target);
    const qsizetype count = QDir(corpusDir(target)).entryList(QDir::Files).size();
    QVERIFY2(count >= 10, qPrintable(u"%1 has %2 files"_s.arg(corpusDir(target)).arg(count)));
}

void TestFuzzCorpus::replay_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<qsizetype>("targetIndex");
    for (qsizetype index = 0; index < targets().size(); ++index) {
        const QString &target = targets().at(index).first;
        const QDir dir(corpusDir(target));
        const QStringList names = dir.entryList(QDir::Files, QDir::Name);
        for (const QString &name : names)
            QTest::newRow(qPrintable(target + u'/' + name)) << dir.filePath(name) << index;
    }
}

void TestFuzzCorpus::replay()
{
    QFETCH(QString, path);
    QFETCH(qsizetype, targetIndex);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    const QByteArray bytes = file.readAll();
    const Target target = targets().at(targetIndex).second;
    QCOMPARE(target(reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())), 0);
}

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzzcorpus.moc"

#include <QJsonArray>

#include <zmqscope/engine/sniff.h>
#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

Result<void> SniffSpec::validate() const
{
    if (interface.trimmed().isEmpty())
        return Error(ErrorCode::InvalidEndpoint, u"a sniffer needs an interface to capture on, e.g. lo"_s);
    for (const quint16 port : ports) {
        if (port == 0)
            return Error(ErrorCode::InvalidOptionValue,
                u"sniffer on %1: port 0 is not a TCP port; expected 1 to 65535"_s.arg(
                    textescape::escape(interface.toUtf8())));
    }
    return {};
}

QJsonObject SniffSpec::toJson() const
{
    QJsonArray portList;
    for (const quint16 port : ports)
        portList.append(int(port));
    return QJsonObject { { u"name"_s, name }, { u"interface"_s, interface }, { u"ports"_s, portList } };
}

Result<SniffSpec> SniffSpec::fromJson(const QJsonObject &json)
{
    SniffSpec spec;
    spec.name = json.value(u"name"_s).toString();
    spec.interface = json.value(u"interface"_s).toString();
    for (const QJsonValue &value : json.value(u"ports"_s).toArray()) {
        const double port = value.toDouble(-1);
        if (!value.isDouble() || port < 1 || port > 65535 || port != double(int(port)))
            return Error(ErrorCode::InvalidOptionValue,
                u"sniffer \"%1\": invalid port %2; expected a TCP port from 1 to 65535"_s.arg(
                    spec.name, value.isDouble() ? QString::number(port) : value.toVariant().toString()));
        spec.ports.append(quint16(port));
    }
    if (Result<void> valid = spec.validate(); !valid)
        return valid.error();
    return spec;
}

} // namespace zmqscope

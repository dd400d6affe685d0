#include "filteroption.h"

#include "clicommon.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

QCommandLineOption filterOption()
{
    return { u"filter"_s,
        u"Only messages that match EXPR: plain words (a substring of any frame, or of a tap's peer as hex), "
        u"or "
        u"an expression such as 'json.seq > 10 and id matches \"^order-\"' (fields id mimetype socket type "
        u"dir peer size frames frame[N] body json.PATH; operators == != < <= > >= contains matches in "
        u"{..}, and or not)."_s,
        u"EXPR"_s };
}

MessageMatcher filterFrom(const CommandLine &commandLine, const QCommandLineOption &option)
{
    if (!commandLine.isSet(option))
        return {};
    Result<MessageMatcher> matcher = MessageMatcher::compile(commandLine.value(option));
    if (!matcher)
        throw usageError(u"bad --filter %1"_s.arg(matcher.errorMessage()));
    return std::move(*matcher);
}

bool passes(const MessageMatcher &matcher, const CaptureRecord &record)
{
    if (matcher.isEmpty())
        return true;
    const FilterSubjectHolder holder(record);
    return matcher.matches(holder.subject());
}

} // namespace zmqscope::cli

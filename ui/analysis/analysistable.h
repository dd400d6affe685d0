#pragma once

class QAbstractItemModel;
class QString;
class QTableView;
class QWidget;

namespace zmqscope {

/// The table of an analysis dock (Conversations, Health, Statistics): whole rows, one at a time, no row
/// numbers, compact rows of one line, the last column taking the rest of the width.
QTableView *makeAnalysisTable(QAbstractItemModel &model, const QString &objectName, QWidget *parent);

} // namespace zmqscope

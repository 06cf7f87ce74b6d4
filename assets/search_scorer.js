// Search ranking for the book (Sphinx `html_search_scorer`, set in _config.yml): a student searching for a place,
// a person or a figure wants the chapter that teaches it first; the back matter (bibliography, glossary, how to run
// the notebooks) and the instructor pages come after it. Otherwise Sphinx's default weights.
var Scorer = {
  score: function (result) {
    var docname = result[0], score = result[4];
    if (docname.indexOf("chapters/") === 0) return score + 20;
    if (docname.indexOf("back/") === 0) return score - 10;
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: {0: 15, 1: 5, 2: -5},
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};

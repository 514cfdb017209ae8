# Run once from the repository root at main 5dd78ee; kept to say how the files were made.
"""Write model files with skfashion 0.1.0 as of main 5dd78ee (the format's first readers)."""
import numpy as np
from sklearn.pipeline import Pipeline
import skfashion
from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.models import CNNClassifier, MultiLabelTransfer
import sys; sys.path.insert(0, "tests")
from toys import lit_bands

X, y = lit_bands(60, side=8)
names = np.array(["a", "b", "c"])[y]
pipe = Pipeline([("expand", QuadrantExpander(random_state=0)),
                 ("cnn", CNNClassifier.from_preset("quick", filters=(4, 4, 4), epochs=1, random_state=0))])
pipe.fit(X, names)
cells = MultiLabelTransfer(pipe.steps[-1][1] , head="cells", augment=MultiObjectComposer(n_classes=3), epochs=1, random_state=0)
# the cells head needs integer classes matching; train a base on ints
base = CNNClassifier.from_preset("quick", filters=(4, 4, 4), epochs=1, random_state=0).fit(QuadrantExpander(random_state=0).fit_transform(X), y)
cells = MultiLabelTransfer(base, head="cells", augment=MultiObjectComposer(n_classes=3), epochs=1, random_state=0).fit(X, y)
skfashion.save(pipe, "tests/data/pipeline-0.1.0.skf")
skfashion.save(cells, "tests/data/cells-0.1.0.skf")
canv = QuadrantExpander(random_state=1).fit_transform(X)
np.savez("tests/data/predictions-0.1.0.npz", pipe_proba=pipe.predict_proba(X), cells_proba=cells.predict_cell_proba(canv))

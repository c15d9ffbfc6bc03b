"""The seed-style reference stack's application: the SageMaker "bring your own" scikit example
shape (nginx -> gunicorn -> flask), serving a CatBoost model. Kept only to benchmark against."""
import io
import os

import flask
import numpy as np
from catboost import CatBoostRegressor

model = CatBoostRegressor()
model.load_model(os.environ["MODEL_PATH"])
app = flask.Flask(__name__)


@app.route("/ping", methods=["GET"])
def ping():
    return flask.Response(response="\n", status=200, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def invocations():
    if flask.request.content_type != "text/csv":
        return flask.Response(response="This predictor only supports CSV data", status=415, mimetype="text/plain")
    data = np.loadtxt(io.StringIO(flask.request.data.decode("utf-8")), delimiter=",", ndmin=2)
    predictions = model.predict(data, thread_count=1)
    out = io.StringIO()
    np.savetxt(out, predictions, fmt="%.17g")
    return flask.Response(response=out.getvalue(), status=200, mimetype="text/csv")
